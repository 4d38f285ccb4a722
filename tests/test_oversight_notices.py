"""Public notices and the red and black lists (issue 12, items 3 and 4): two-person rule, also in
the database; withdrawal keeps the audited record and hides the notice; the black list derives
from published notices only; the public pages carry no reporter data."""

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.oversight.errors import OversightError
from portal.oversight.lists import black_list, name_red_list, publish_red_list
from portal.oversight.models import NoticeStatus, PublicNotice
from portal.oversight.notices import draft_notice, publish_notice, withdraw_notice
from tests.conftest import make_user
from tests.rewards_helpers import decided_tip

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def _leads(report):
    code = report.department.code
    return make_user("lead.one", Role.LEAD, code), make_user("lead.two", Role.LEAD, code)


def _events(row):
    return db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == row.__tablename__, AuditEvent.object_id == row.id)
        .order_by(AuditEvent.seq)
    ).all()


def test_the_drafter_cannot_publish_a_second_lead_can(app):
    report, _ = decided_tip()
    drafter, reviewer = _leads(report)
    notice = draft_notice(report, "销售过期食品", drafter)
    db.session.commit()
    with pytest.raises(OversightError) as refused:
        publish_notice(notice, drafter)
    assert refused.value.code == "second_person_required"
    db.session.rollback()
    assert db.session.get(PublicNotice, notice.id).status == NoticeStatus.DRAFT
    publish_notice(notice, reviewer)
    db.session.commit()
    assert notice.status == NoticeStatus.PUBLISHED
    assert (notice.decision_number, notice.decided_on, notice.fine_yuan) == (
        report.decision_number, report.decided_on, report.fine_yuan,
    )  # fmt: skip
    assert _events(notice) == ["notice.drafted", "notice.published"]


def test_a_lead_of_another_department_cannot_review_but_the_supervising_office_can(app):
    report, _ = decided_tip()
    drafter, _second = _leads(report)
    other = make_user("lead.other", Role.LEAD, "market-330106")  # the tip-off is the city bureau's
    supervisor = make_user("lead.fso", Role.LEAD, "fso")
    notice = draft_notice(report, "销售过期食品", drafter)
    with pytest.raises(OversightError):
        publish_notice(notice, other)
    publish_notice(notice, supervisor)
    assert notice.published_by_id == supervisor.id


def test_the_database_refuses_a_notice_published_by_its_drafter(app):
    report, _ = decided_tip()
    drafter, _second = _leads(report)
    notice = draft_notice(report, "销售过期食品", drafter)
    db.session.commit()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text(
                "UPDATE public_notices SET status = 'published', published_by_id = drafted_by_id,"
                " published_at = drafted_at WHERE id = :id"
            ),
            {"id": notice.id},
        )
    db.session.rollback()


def test_the_database_refuses_a_red_list_entry_published_by_its_namer(app):
    lead = make_user("lead.red", Role.LEAD, "market")
    entry = name_red_list(lead, "放心餐馆", "91330100MA000000X1", "连续三年无投诉", *YEAR)
    db.session.commit()
    with pytest.raises(OversightError):
        publish_red_list(entry, lead)
    db.session.rollback()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text(
                "UPDATE red_list_entries SET status = 'published', published_by_id = named_by_id,"
                " published_at = named_at WHERE id = :id"
            ),
            {"id": entry.id},
        )
    db.session.rollback()


def test_withdrawal_keeps_the_audited_record_and_hides_the_notice(app, client):
    report, _ = decided_tip()
    drafter, reviewer = _leads(report)
    notice = publish_notice(draft_notice(report, "销售过期食品", drafter), reviewer)
    db.session.commit()
    assert client.get(f"/notices/{notice.id}").status_code == 200
    assert report.business_name in client.get(f"/lists?year={report.decided_on.year}").get_data(as_text=True)
    withdraw_notice(notice, reviewer, "复议撤销")
    db.session.commit()
    assert client.get(f"/notices/{notice.id}").status_code == 404
    assert notice.decision_number not in client.get("/notices").get_data(as_text=True)
    assert black_list(*YEAR) == []
    kept = db.session.get(PublicNotice, notice.id)
    assert (kept.status, kept.withdrawal_reason) == (NoticeStatus.WITHDRAWN, "复议撤销")
    assert _events(notice) == ["notice.drafted", "notice.published", "notice.withdrawn"]


def test_the_black_list_derives_from_published_notices_only(app):
    published, _ = decided_tip(business_name="甲超市")
    drafted, _ = decided_tip(business_name="乙超市")
    drafter, reviewer = _leads(published)
    publish_notice(draft_notice(published, "销售过期食品", drafter), reviewer)
    draft_notice(drafted, "虚假宣传", drafter)
    db.session.commit()
    entries = black_list(*YEAR)
    assert [(e.business_name, [n.report_id for n in e.notices]) for e in entries] == [
        ("甲超市", [published.id])
    ]
    assert black_list(date(2025, 1, 1), date(2025, 12, 31)) == []
    assert [e.business_name for e in black_list(*YEAR, query="乙")] == []


def test_public_pages_show_no_reporter_data(app, client):
    report, _ = decided_tip(reporter_name="王秘密", reporter_phone="13912345678")
    drafter, reviewer = _leads(report)
    notice = publish_notice(draft_notice(report, "销售过期食品", drafter), reviewer)
    lead = make_user("lead.red2", Role.LEAD, "market")
    publish_red_list(name_red_list(lead, "放心餐馆", None, "连续三年无投诉", *YEAR), drafter)
    db.session.commit()
    pages = [f"/notices/{notice.id}", "/notices", f"/notices?q={report.business_name}", "/lists?year=2026"]
    bodies = {url: client.get(url).get_data(as_text=True) for url in pages}
    assert report.business_name in bodies[f"/notices/{notice.id}"]
    assert report.decision_number in bodies[f"/notices/{notice.id}"]
    assert "放心餐馆" in bodies["/lists?year=2026"]
    for url, body in bodies.items():
        assert "王秘密" not in body and "13912345678" not in body, url
        assert report.description not in body, url
