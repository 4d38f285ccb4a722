"""The auditors' view of rewards: each flag raised by a crafted case and not by a clean one, the
rule's amount re-run from the recorded inputs, exports that parse back to the decisions (CSV and
Excel), masking by role, every export audited, and nothing an auditor can change."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import Numeric, bindparam, func, select, text
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.clock import local_today
from portal.directory.models import Region
from portal.extensions import db
from portal.rewards import operations as ops
from portal.rewards.audit_flags import Flag, flag_awards
from portal.rewards.calculation import quote
from portal.rewards.models import RewardAward, RewardPayout
from tests.conftest import lookup, make_user, sign_in_through_forms
from tests.rewards_helpers import CLEAR, decided_tip

D = Decimal


@pytest.fixture
def people(app):
    staff = make_user("ra.staff", Role.STAFF, "market")
    lead = make_user("ra.lead", Role.LEAD, "market")
    finance = make_user("ra.finance", Role.FINANCE)
    auditor = make_user("ra.auditor", Role.AUDITOR)
    return staff, lead, finance, auditor


def approved(people, name="李四", phone="13800001111", **propose):
    staff, lead, _, _ = people
    report, _ = decided_tip(reporter_name=name, reporter_phone=phone)
    award = ops.propose_reward(report, staff, 2, "证据直接", CLEAR, **propose)
    ops.approve_reward(award, lead)
    db.session.commit()
    return award


def paid(people, account, **kwargs):
    """Approved, claimed to `account` in the reporter's name, paid in full by finance."""
    award = approved(people, **kwargs)
    ops.claim_by_bank(award, award.report.primary_reporter.name, "工商银行", account)
    share = award.shares[0]
    ops.record_payout(award, share, people[2], share.amount, "bank_transfer", "TX-1", local_today())
    db.session.commit()
    return award


def _sql_payout(award, attempt, paid_on, recorded_at):
    """A payout row written straight into the table, as a careless script could (the table
    keeps it within the share; nothing else stops it)."""
    share = award.shares[0]
    db.session.execute(
        text(
            "INSERT INTO reward_payouts (award_id, share_id, share_amount, attempt, amount, method,"
            " reference, paid_on, recorded_by_id, recorded_at)"
            " VALUES (:a, :s, :sa, :n, :amount, 'cash', 'SQL', :d, :u, :at)"
        ).bindparams(bindparam("sa", type_=Numeric(14, 2)), bindparam("amount", type_=Numeric(14, 2))),
        {
            "a": award.id,
            "s": share.id,
            "sa": share.amount,
            "n": attempt,
            "amount": share.amount,
            "d": paid_on,
            "u": award.approver_id,
            "at": recorded_at,
        },
    )
    db.session.commit()
    db.session.expire_all()


def flags_of(award):
    findings, _ = flag_awards([award])
    return {f.flag for f in findings[award.id]}


def test_a_clean_award_raises_no_flag_and_its_rule_amount_is_the_calculation(people):
    award = paid(people, "6222020000000001")
    assert flags_of(award) == set()
    expected = quote(award.policy.terms(), 2, D("120000.00")).amount
    _, rules = flag_awards([award])
    assert rules[award.id] == expected == award.amount


def test_off_the_rule_without_a_reason_is_flagged_with_a_reason_it_is_not(people):
    staff, lead, _, _ = people
    explained = approved(people, phone="13800002222", amount="5000.00", amount_reason="线索关键，协助取证")
    assert flags_of(explained) == set()
    report, _ = decided_tip(reporter_phone="13800003333")
    careless = ops.propose_reward(report, staff, 2, "证据直接", CLEAR, amount="5000.00", amount_reason="x")
    db.session.commit()
    # Blanked while still a proposal (the table only asks for a reason that is not null).
    db.session.execute(
        text("UPDATE reward_awards SET amount_reason = '  ' WHERE id = :id"), {"id": careless.id}
    )
    db.session.commit()
    db.session.expire_all()
    ops.approve_reward(careless, lead)
    db.session.commit()
    assert flags_of(careless) == {Flag.OFF_RULE_NO_REASON}


def test_a_recorded_rule_amount_that_the_calculation_does_not_give_is_caught(people):
    staff, lead, _, auditor = people
    report, _ = decided_tip(reporter_phone="13800004444")
    award = ops.propose_reward(report, staff, 2, "证据直接", CLEAR)
    db.session.commit()
    db.session.execute(
        text("UPDATE reward_awards SET rule_amount = 9000, amount = 9000 WHERE id = :id"), {"id": award.id}
    )
    db.session.commit()
    db.session.expire_all()
    ops.approve_reward(award, lead)
    db.session.commit()
    assert flags_of(award) == {Flag.OFF_RULE_NO_REASON}
    page = sign_in_through_forms(db_client(), auditor).get("/admin/rewards/audit").get_data(as_text=True)
    row = page.split(f'data-award="{award.id}"')[1].split("</tr>")[0]
    rule = quote(award.policy.terms(), 2, D("120000.00")).amount
    assert f'rule-amount">{rule}<' in row and 'award-amount">9000.00' in row
    assert 'data-flag="off_rule_no_reason"' in row


def db_client():
    from flask import current_app

    return current_app.test_client()


def test_paid_before_approval_is_flagged(people):
    clean = paid(people, "6222020000000002", phone="13800005555")
    late = approved(people, phone="13800006666")
    ops.claim_in_person(late, people[2])
    db.session.commit()
    _sql_payout(late, 1, late.notified_on - timedelta(days=3), late.decided_at - timedelta(hours=1))
    assert flags_of(late) == {Flag.PAID_BEFORE_APPROVAL}
    assert flags_of(clean) == set()


def test_paid_above_the_approval_is_flagged_a_reversed_and_repaid_share_is_not(people):
    finance = people[2]
    repaid = paid(people, "6222020000000003", phone="13800007777")
    ops.reverse_payout(repaid.payouts[0], finance, "银行退回")
    share = repaid.shares[0]
    ops.record_payout(repaid, share, finance, share.amount, "bank_transfer", "TX-2", local_today())
    db.session.commit()
    assert flags_of(repaid) == set()
    twice = paid(people, "6222020000000004", phone="13800008888")
    _sql_payout(twice, 2, local_today(), twice.decided_at + timedelta(minutes=5))  # no reversal
    assert flags_of(twice) == {Flag.PAID_ABOVE_APPROVAL}


def test_one_payee_account_or_phone_across_cases_is_flagged(people):
    alone = paid(people, "6222020000000005", phone="13800009999")
    first = paid(people, "6222029999999999", phone="13900000001")
    second = paid(people, "6222029999999999", phone="13900000002")  # the same account
    third = approved(people, phone="13900000002")  # the same phone as the second, no claim yet
    assert flags_of(alone) == set()
    findings, _ = flag_awards([first, second, third])
    assert {f.flag for f in findings[first.id]} == {Flag.SHARED_PAYEE}
    assert findings[first.id][0].detail == second.report.number
    assert {f.flag for f in findings[third.id]} == {Flag.SHARED_PAYEE}
    assert set(findings[second.id][0].detail.split(", ")) == {first.report.number, third.report.number}


def test_a_payee_with_a_staff_members_name_is_flagged(people):
    colleague = make_user("ra.wang", Role.STAFF, "market-330106")
    colleague.display_name = "西湖分局 王五"
    db.session.commit()
    insider = paid(people, "6222020000000006", name="王 五", phone="13900000003")
    other = paid(people, "6222020000000007", name="王六", phone="13900000004")
    assert flags_of(insider) == {Flag.PAYEE_IS_STAFF}
    assert flags_of(other) == set()


def test_proposer_as_approver_is_refused_by_the_database_and_flagged_if_ever_found(people):
    award = approved(people)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text(
                "INSERT INTO reward_awards (report_id, policy_id, policy_version, status, level,"
                " penalty_yuan, already_awarded, insider_multiplier, rule_amount, amount, justification,"
                " answers, proposer_id, proposed_at, approver_id, decided_at, claim_due_on)"
                " SELECT report_id, policy_id, policy_version, 'rejected', level, penalty_yuan,"
                " already_awarded, insider_multiplier, rule_amount, amount, justification, answers,"
                " proposer_id, proposed_at, proposer_id, decided_at, claim_due_on"
                " FROM reward_awards WHERE id = :id"
            ),
            {"id": award.id},
        )
    db.session.rollback()
    # The table cannot hold one, so the check runs on the row as read, changed in memory only.
    with db.session.no_autoflush:
        award.approver_id = award.proposer_id
        assert Flag.SELF_APPROVED in flags_of(award)
    db.session.rollback()


def _claimed_pair(people):
    """A paid award of the market bureau, and one of Xihu branch (another department)."""
    market = paid(people, "6222021234561234", phone="13900000005")
    xihu_staff = make_user("ra.xihu", Role.STAFF, "market-330106")
    xihu_lead = make_user("ra.xihu.lead", Role.LEAD, "market-330106")
    report, _ = decided_tip(reporter_phone="13900000006", region=lookup(Region, "330106"))
    assert report.department.code == "market-330106"
    xihu = ops.propose_reward(report, xihu_staff, 1, "线索清楚", CLEAR)
    ops.approve_reward(xihu, xihu_lead)
    db.session.commit()
    return market, xihu


def fetch(browser, url):
    """An export as the client receives it; buffered, so the test client reads the stream
    before it closes the request context it keeps for inspection."""
    response = browser.get(url, buffered=True)
    assert response.status_code == 200, response.status_code
    return {"type": response.mimetype, "body": response.get_data()}


def _csv_rows(browser, url):
    export = fetch(browser, url)
    assert export["type"] == "text/csv"
    return list(csv.reader(io.StringIO(export["body"].decode("utf-8").lstrip("\ufeff"))))


def test_exports_hold_the_decisions_masked_for_auditors_and_are_audited(app, people):
    market, xihu = _claimed_pair(people)
    browser = sign_in_through_forms(app.test_client(), people[3])
    browser.get("/admin/?lang=en")
    rows = _csv_rows(browser, "/admin/rewards/audit/decisions.csv")
    header, data = rows[0], rows[1:]
    column = {name: header.index(name) for name in header}
    awards = db.session.scalars(select(RewardAward).order_by(RewardAward.id)).all()
    assert [r[column["Award"]] for r in data] == [str(a.id) for a in awards]
    assert [r[column["Approved amount"]] for r in data] == [f"{a.amount}" for a in awards]
    assert [r[column["By the rules (re-computed)"]] for r in data] == [
        f"{quote(a.policy.terms(), a.level, a.penalty_yuan).amount}" for a in awards
    ]
    market_row = data[[a.id for a in awards].index(market.id)]
    assert market_row[column["Bank account"]] == "6222********1234"
    assert market_row[column["Payee"]] == "李*" and "6222021234561234" not in str(rows)

    book = load_workbook(
        io.BytesIO(fetch(browser, "/admin/rewards/audit/decisions.xlsx")["body"]), read_only=True
    )
    sheet_rows = [
        [cell if cell is not None else "" for cell in row] for row in book.active.iter_rows(values_only=True)
    ]
    assert sheet_rows == rows

    payouts = _csv_rows(browser, "/admin/rewards/audit/payouts.csv?department=market")[1:]
    stored = db.session.scalars(select(RewardPayout).order_by(RewardPayout.id)).all()
    assert [(r[0], r[4]) for r in payouts] == [(str(p.id), f"{p.amount}") for p in stored]

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rewards.exported").order_by(AuditEvent.seq)
    ).all()
    assert [(e.data["table"], e.data["format"], e.data["rows"]) for e in events] == [
        ("decisions", "csv", 2),
        ("decisions", "xlsx", 2),
        ("payouts", "csv", 1),
    ]
    assert events[2].data["filter"]["department"] == "market" and events[0].data["masked"] is True
    assert "6222" not in str([e.data for e in events])


def test_finance_exports_in_full_and_a_lead_sees_only_the_own_department(app, people):
    market, xihu = _claimed_pair(people)
    finance = sign_in_through_forms(app.test_client(), people[2])
    rows = _csv_rows(finance, "/admin/rewards/audit/payouts.csv")
    assert "6222021234561234" in rows[1] and "李四" in rows[1]
    lead = sign_in_through_forms(app.test_client(), people[1])
    page = lead.get("/admin/rewards/audit").get_data(as_text=True)
    assert f'data-award="{market.id}"' in page and f'data-award="{xihu.id}"' not in page
    assert "6222********1234" in page and "6222021234561234" not in page
    filtered = lead.get(f"/admin/rewards/audit?year={local_today().year + 1}").get_data(as_text=True)
    assert f'data-award="{market.id}"' not in filtered


def test_the_flag_filter_keeps_only_flagged_decisions(app, people):
    clean = paid(people, "6222020000000008", phone="13900000007")
    twice = paid(people, "6222020000000009", phone="13900000008")
    _sql_payout(twice, 2, local_today(), twice.decided_at + timedelta(minutes=5))
    page = sign_in_through_forms(app.test_client(), people[3]).get(
        "/admin/rewards/audit?flag=paid_above_approval"
    )
    html = page.get_data(as_text=True)
    assert f'data-award="{twice.id}"' in html and f'data-award="{clean.id}"' not in html


def test_auditors_cannot_change_anything(app, people):
    award = paid(people, "6222020000000010", phone="13900000009")
    number = award.report.number
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    browser = sign_in_through_forms(app.test_client(), people[3])
    after_sign_in = db.session.scalar(select(func.count()).select_from(AuditEvent))
    posts = {
        f"/admin/reports/{number}/reward/propose": {"level": "1", "justification": "x"},
        f"/admin/reports/{number}/reward/decide": {"decision": "reject", "reason": "x"},
        f"/admin/reports/{number}/reward/sign-off": {"kind": "large_award"},
        f"/admin/reports/{number}/reward/claim-in-person": {"share_id": award.shares[0].id},
        f"/admin/reports/{number}/reward/payout": {"share_id": award.shares[0].id, "amount": "1.00"},
        f"/admin/reports/{number}/reward/reverse": {"payout_id": award.payouts[0].id, "reason": "x"},
        f"/admin/reports/{number}/reward/withdraw": {"reason": "x"},
        f"/admin/reports/{number}/reward/correction": {"reason": "x"},
        f"/admin/reports/{number}/reward/correction/confirm": {},
        "/admin/rewards/audit": {},
        "/admin/rewards/audit/decisions.csv": {},
    }
    statuses = {url: browser.post(url, data=data).status_code for url, data in posts.items()}
    assert all(status in (403, 404, 405) for status in statuses.values()), statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == after_sign_in >= before
    assert db.session.scalar(select(func.count()).select_from(RewardPayout)) == 1
    assert db.session.get(RewardAward, award.id).status == "approved"
