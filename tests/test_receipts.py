"""Receipts: access keys are long, readable, stored only as keyed hashes, looked up evenly."""

import hashlib
import math
import re

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.reports.operations import find_by_receipt, submit_report
from portal.reports.receipts import (
    CROCKFORD,
    KEY_CHARS,
    access_key_for,
    format_key,
    hash_access_key,
    new_submission_token,
    normalise_key,
)
from tests.conftest import make_intake

pytestmark = pytest.mark.usefixtures("app")


def submit(**overrides):
    receipt = submit_report(make_intake(**overrides), [], new_submission_token())
    db.session.commit()
    return receipt


def test_key_has_at_least_80_bits_and_reads_in_groups():
    key = access_key_for(new_submission_token())
    assert len(key) == KEY_CHARS and KEY_CHARS * math.log2(len(CROCKFORD)) >= 80
    assert set(key) <= set(CROCKFORD)
    assert re.fullmatch(r"([0-9A-Z]{4}-){4}[0-9A-Z]{4}", format_key(key))


def test_keys_differ_between_submissions():
    keys = {access_key_for(new_submission_token()) for _ in range(200)}
    assert len(keys) == 200


def test_key_is_stored_only_as_keyed_hash():
    receipt = submit()
    stored = db.session.execute(text("SELECT access_key_hash FROM reports")).scalar_one()
    assert receipt.access_key not in stored
    assert stored == hash_access_key(receipt.access_key)
    # Keyed: a plain SHA-256 of the key does not match (a leaked table cannot be brute-checked
    # without the server secret).
    assert stored != hashlib.sha256(receipt.access_key.encode()).hexdigest()


def test_lookup_accepts_how_people_type_keys():
    receipt = submit()
    typed = format_key(receipt.access_key).lower().replace("-", " ")
    typed = typed.replace("0", "o").replace("1", "l")
    assert normalise_key(typed) == receipt.access_key
    assert find_by_receipt(" " + receipt.report.number.lower(), typed).id == receipt.report.id


def test_wrong_key_and_wrong_number_both_find_nothing():
    receipt = submit()
    other = submit()
    assert find_by_receipt(receipt.report.number, other.access_key) is None
    assert find_by_receipt("JB-2099-000001", receipt.access_key) is None
    assert find_by_receipt(receipt.report.number, "") is None


def test_lookup_pages_answer_the_same_for_wrong_number_and_wrong_key(client):
    receipt = submit()
    wrong_key = client.post("/track", data={"number": receipt.report.number, "access_key": "AAAA-BBBB"})
    wrong_number = client.post("/track", data={"number": "JB-2000-000001", "access_key": receipt.access_key})
    assert wrong_key.status_code == wrong_number.status_code == 404
    # The page echoes the typed number (never the key); apart from that it is identical.
    first = wrong_key.data.replace(receipt.report.number.encode(), b"N")
    second = wrong_number.data.replace(b"JB-2000-000001", b"N")
    assert first == second
    assert receipt.access_key.encode() not in wrong_number.data


def test_lookup_does_the_same_work_for_an_unknown_number(monkeypatch):
    """Timing parity by construction: the keyed hash is computed whether or not the number exists."""
    from portal.reports import operations

    calls = []
    real = operations.key_matches
    monkeypatch.setattr(operations, "key_matches", lambda s, k: calls.append(s) or real(s, k))
    receipt = submit()
    find_by_receipt(receipt.report.number, "WRONG")
    find_by_receipt("JB-2000-000001", "WRONG")
    assert len(calls) == 2
