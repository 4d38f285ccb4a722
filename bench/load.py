"""Seed the benchmark database: reports in bulk, and a handful filed through the real operation.

The bulk rows are plain INSERTs (executemany) built from the product's own table; each is routed
as the product would route it. Their hashes are random: nobody looks them up. The receipts the
benchmark looks up come from `submit_report` itself, so they carry real keyed hashes.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select, update

from portal.audit.chain import SYSTEM, record_event
from portal.clock import utcnow
from portal.directory.models import Category, Region
from portal.directory.routing import route
from portal.extensions import db
from portal.reports.models import Report, ReportSequence
from portal.reports.operations import IntakeData, local_year, submit_report
from portal.reports.receipts import format_key, issue_submission_token, new_form_binding
from portal.reports.states import NUMBER_PREFIX, Kind, State
from portal.security import receipt_keys

BATCH = 10_000


@dataclass(frozen=True)
class KnownReceipt:
    number: str
    access_key: str


def _combos():
    """(category, region, department) for every active category × a few regions, routed for real."""
    categories = db.session.scalars(select(Category).where(Category.active).order_by(Category.id)).all()
    regions = db.session.scalars(select(Region).order_by(Region.id).limit(12)).all()
    return [(c, r, route(c, r).department) for c in categories for r in regions]


def _rows(start, count, combos, key_id, now):
    year = local_year(now)
    for n in range(start, start + count):
        category, region, department = combos[n % len(combos)]
        moment = now - timedelta(minutes=n)
        yield {
            "number": f"{NUMBER_PREFIX[Kind.TIP]}-{year}-{n:06d}",
            "kind": Kind.TIP.value,
            "state": State.SUBMITTED.value,
            "category_id": category.id,
            "region_id": region.id,
            "department_id": department.id,
            "business_name": f"示范商户 {n}",
            "description": "后厨卫生很差，员工不戴口罩直接处理熟食。",
            "anonymous": True,
            "wants_reward": False,
            "language": "zh_CN",
            "receipt_key_id": key_id,
            "access_key_hash": secrets.token_hex(32),
            "submission_token_hash": secrets.token_hex(32),
            "received_at": moment,
            "updated_at": moment,
        }


def bulk_load(count):
    """Insert `count` tip-offs numbered 1..count this year, and move the counter past them."""
    now, combos, key_id = utcnow(), _combos(), receipt_keys().current_id
    table = Report.__table__
    for start in range(1, count + 1, BATCH):
        rows = list(_rows(start, min(BATCH, count + 1 - start), combos, key_id, now))
        db.session.execute(insert(table), rows)
    year = local_year(now)
    db.session.execute(insert(ReportSequence).values(kind=Kind.TIP.value, year=year, last_value=0))
    db.session.execute(
        update(ReportSequence)
        .where(ReportSequence.kind == Kind.TIP.value, ReportSequence.year == year)
        .values(last_value=count)
    )
    record_event("bench.bulk_load", None, SYSTEM, {"reports": count})
    db.session.commit()


def file_known(count):
    """File `count` reports through submit_report; their receipts are what the benchmark looks up."""
    category, region, _department = _combos()[0]
    receipts = []
    for n in range(count):
        data = IntakeData(
            kind=Kind.TIP.value,
            category=category,
            region=region,
            business_name=f"查询用商户 {n}",
            description="后厨卫生很差，员工不戴口罩直接处理熟食。",
        )
        receipt = submit_report(data, [], issue_submission_token(new_form_binding()))
        db.session.commit()
        receipts.append(KnownReceipt(receipt.report.number, format_key(receipt.access_key)))
    return receipts
