"""Report numbers: per kind and year, sequential, unique under concurrency."""

import re
import threading
from datetime import datetime

import pytest

from portal.clock import frozen_at
from portal.extensions import db
from portal.reports.numbering import next_number
from portal.reports.operations import submit_report
from portal.reports.receipts import new_submission_token
from tests.conftest import ON_POSTGRES, make_intake


def test_numbers_are_sequential_per_kind_and_year(app):
    with frozen_at(datetime(2026, 6, 1, 8, 0)):
        numbers = [
            submit_report(make_intake(kind=k), [], new_submission_token()).report.number
            for k in ("tip", "tip", "complaint", "tip")
        ]
    db.session.commit()
    assert numbers == ["JB-2026-000001", "JB-2026-000002", "TS-2026-000001", "JB-2026-000003"]


def test_year_is_the_local_year_in_china(app):
    # 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Beijing.
    with frozen_at(datetime(2026, 12, 31, 17, 0)):
        number = submit_report(make_intake(), [], new_submission_token()).report.number
    assert number == "JB-2027-000001"


def test_rolled_back_submission_leaves_no_gap(app):
    next_number("tip", 2026)
    db.session.rollback()
    assert next_number("tip", 2026) == "JB-2026-000001"


@pytest.mark.skipif(
    not ON_POSTGRES, reason="row-lock concurrency is a PostgreSQL property; SQLite serialises all writers"
)
def test_concurrent_submissions_get_unique_gapless_numbers(app):
    workers, per_worker = 8, 5
    numbers, errors = [], []
    barrier = threading.Barrier(workers)

    def work():
        try:
            with app.app_context():
                barrier.wait()
                for _ in range(per_worker):
                    receipt = submit_report(make_intake(), [], new_submission_token())
                    db.session.commit()
                    numbers.append(receipt.report.number)
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(numbers) == len(set(numbers)) == workers * per_worker
    sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequence == list(range(1, workers * per_worker + 1))
    assert all(re.fullmatch(r"JB-\d{4}-\d{6}", n) for n in numbers)
