"""The leads' daily digest: due soon, overdue and waiting for approval, per department, through
the outbox, made by the deadline sweep at most once per lead, department and local day."""

from datetime import datetime

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.clock import frozen_at
from portal.deadlines.sweep import sweep_deadlines
from portal.extensions import db
from portal.notify.models import Outbox
from portal.reports.proposals import propose_move
from tests.casework import OTHER, OWN, file_report
from tests.conftest import make_user

pytestmark = pytest.mark.usefixtures("app")

# Thursday 12 November 2026, 10:00 in Beijing (02:00 UTC).
THURSDAY_10AM = datetime(2026, 11, 12, 2, 0)


def complaint_filed(day, department=OWN):
    with frozen_at(datetime(2026, 11, day, 2, 0)):
        return file_report(department, kind="complaint")[0]


def lead_with_email(username, department, email):
    lead = make_user(username, Role.LEAD, department)
    lead.email = email
    db.session.commit()
    return lead


def digests():
    db.session.expire_all()
    return db.session.scalars(select(Outbox).where(Outbox.kind == "digest").order_by(Outbox.id)).all()


def sweep(moment):
    with frozen_at(moment):
        result = sweep_deadlines()
        db.session.commit()
    return result


def test_each_lead_gets_one_digest_a_day_listing_their_own_department_only():
    overdue = complaint_filed(2)  # accept-or-decline due 11 November: overdue on the 12th
    due_soon = complaint_filed(4)  # due 13 November: within 2 working days
    waiting = complaint_filed(11)  # due later, but a decline waits for the lead
    staff = make_user("market.staff", Role.STAFF, OWN)
    propose_move(waiting, "declined", staff, reason="已向法院起诉", ground="before_court")
    db.session.commit()
    elsewhere = complaint_filed(2, OTHER)
    lead_with_email("market.lead", OWN, "market.lead@example.gov.cn")
    lead_with_email("xihu.lead", OTHER, "xihu.lead@example.gov.cn")
    make_user("fso.lead", Role.LEAD, "fso")  # no address: no digest

    assert sweep(datetime(2026, 11, 11, 23, 0)).digests == 0  # 07:00 in Beijing: too early
    assert sweep(THURSDAY_10AM).digests == 2
    assert sweep(THURSDAY_10AM).digests == 0  # the second sweep of the day adds nothing
    market, xihu = digests()
    assert (market.recipient, xihu.recipient) == ("market.lead@example.gov.cn", "xihu.lead@example.gov.cn")
    # Sections: greeting, overdue, due soon, waiting for approval, the queue's link.
    _, late, soon, approval, link = market.body.strip().split("\n\n")
    assert late.endswith(f"(1): {overdue.number}") and soon.endswith(f"(1): {due_soon.number}")
    assert approval.endswith(f"(1): {waiting.number}") and "/admin/queue" in link
    assert elsewhere.number not in market.body
    assert elsewhere.number in xihu.body and overdue.number not in xihu.body
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "digest.queued")).all()
    assert sorted(e.data["department"] for e in events) == sorted([OTHER, OWN])

    assert sweep(datetime(2026, 11, 13, 2, 0)).digests == 2  # the next day: a new one each
    assert len(digests()) == 4


def test_nothing_waiting_means_no_digest(runner):
    lead_with_email("market.lead", OWN, "market.lead@example.gov.cn")
    complaint_filed(11)  # due well after today
    with frozen_at(THURSDAY_10AM):
        result = runner.invoke(args=["deadlines", "sweep"])
    assert "0 daily digests queued" in result.output and digests() == []
