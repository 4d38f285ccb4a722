"""Receipts: access keys are long, readable, stored only as keyed hashes, looked up evenly."""

import hashlib
import logging
import re
import statistics
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text

from portal import create_app
from portal.extensions import db
from portal.reports.models import Report
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
from tests.conftest import _config, make_intake

pytestmark = pytest.mark.usefixtures("app")


def submit(**overrides):
    receipt = submit_report(make_intake(**overrides), [], new_submission_token())
    db.session.commit()
    return receipt


def test_key_has_at_least_80_bits_and_reads_in_groups():
    """Generated keys, not constants: Crockford alphabet, one length, every position random."""
    keys = [submit().access_key for _ in range(20)]
    keys += [access_key_for(new_submission_token()) for _ in range(2000)]
    assert len(set(keys)) == len(keys)
    assert {len(k) for k in keys} == {KEY_CHARS} and set("".join(keys)) <= set(CROCKFORD)
    # Each position takes every one of the 32 symbols (5 bits) across the sample (a position left
    # unused has 1 chance in 10^25 of passing), so the key carries 5 bits per character.
    random_positions = [i for i in range(KEY_CHARS) if {k[i] for k in keys} == set(CROCKFORD)]
    assert len(random_positions) * 5 >= 80 and len(random_positions) == KEY_CHARS
    assert all(re.fullmatch(r"([0-9A-Z]{4}-){4}[0-9A-Z]{4}", format_key(k)) for k in keys[:20])


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


def _median_seconds(call, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_lookup_does_the_same_work_for_an_unknown_number(monkeypatch):
    """Both paths compute the keyed hash. An HMAC takes a microsecond, far below the noise of a
    database query, so the hash is slowed to 30 ms here to make the work it does measurable."""
    from portal.reports import receipts

    real = receipts.keyed_hash

    def slow(purpose, value, key):
        time.sleep(0.03)
        return real(purpose, value, key)

    receipt = submit()
    monkeypatch.setattr(receipts, "keyed_hash", slow)
    wrong_key = _median_seconds(lambda: find_by_receipt(receipt.report.number, "WRONG"))
    unknown_number = _median_seconds(lambda: find_by_receipt("JB-2000-000001", receipt.access_key))
    assert wrong_key >= 0.03 and unknown_number >= 0.03  # each did the hash once…
    assert abs(wrong_key - unknown_number) < 0.015  # …and neither did more work than the other


# ---- rotation (issue 5, item 2) -----------------------------------------------------------

R1 = "r1:first-receipt-key-0123456789-abcdefghijklmn"
R2 = "r2:second-receipt-key-9876543210-zyxwvutsrqpon"


@contextmanager
def restarted(database_url, tmp_path, receipt_keys):
    """The same database served by an app started with other RECEIPT_KEYS."""
    other = create_app(_config(database_url, tmp_path) | {"RECEIPT_KEYS": receipt_keys})
    with other.app_context():
        yield other
        db.session.remove()
        db.engine.dispose()


def test_receipt_survives_a_new_receipt_key_in_front(database_url, tmp_path):
    with restarted(database_url, tmp_path, R1):
        old = submit()
        old_number = old.report.number
    with restarted(database_url, tmp_path, f"{R2},{R1}") as app:
        response = app.test_client().post("/track", data={"number": old_number, "access_key": old.access_key})
        assert response.status_code == 302 and response.headers["Location"].endswith("/track/status")
        new = submit()
        assert new.report.receipt_key_id == "r2"
        assert db.session.scalar(select(Report.receipt_key_id).where(Report.number == old_number)) == "r1"
        assert find_by_receipt(new.report.number, new.access_key).id == new.report.id
    with restarted(database_url, tmp_path, R2):  # r1 retired later: r2 receipts still open
        assert find_by_receipt(new.report.number, new.access_key) is not None


def test_report_whose_receipt_key_was_removed_is_not_found_and_logged(database_url, tmp_path, caplog):
    with restarted(database_url, tmp_path, R1):
        old = submit()
        number = old.report.number
    with restarted(database_url, tmp_path, R2) as app, caplog.at_level(logging.ERROR):
        response = app.test_client().post("/track", data={"number": number, "access_key": old.access_key})
        assert response.status_code == 404
    assert any("'r1'" in r.getMessage() and number in r.getMessage() for r in caplog.records)


# ---- full-width input (issue 5, item 18) --------------------------------------------------


def full_width(text):
    """What a Chinese input method in full-width mode types: ＪＢ－２０２６－０００００１."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_number_and_key_typed_in_full_width_open_the_report(client):
    receipt = submit()
    number, key = full_width(receipt.report.number), full_width(format_key(receipt.access_key).lower())
    assert number != receipt.report.number and "－" in number
    response = client.post("/track", data={"number": number, "access_key": key})
    assert response.status_code == 302 and response.headers["Location"].endswith("/track/status")
    typed = "\u3000" + number.replace("－", "\u2014") + " "  # ideographic space, em dash
    assert client.post("/track", data={"number": typed, "access_key": key}).status_code == 302
