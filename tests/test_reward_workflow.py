"""The reward workflow: staff propose, a lead (never the proposer) decides, finance signs off
large awards and insider raises, joint reporters share exactly, the reporter claims in time or
the award lapses through the sweep."""

import html
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.clock import frozen_at
from portal.deadlines.sweep import sweep_deadlines
from portal.extensions import db
from portal.reports.reporters import Reporter, ReporterRole, ReportReporter
from portal.rewards import operations as ops
from portal.rewards.errors import RewardError
from portal.rewards.models import RewardAward
from tests.conftest import make_user
from tests.rewards_helpers import CLEAR, decided_tip

D = Decimal
# Monday 2026-09-21, before the Mid-Autumn (25–27 Sept) and National Day (1–7 Oct) holidays of 2026.
PROPOSED_AT = datetime(2026, 9, 21, 2, 0)


@pytest.fixture
def people(app):
    return {
        "staff": make_user("rw.staff", Role.STAFF, "market"),
        "lead": make_user("rw.lead", Role.LEAD, "market"),
        "lead2": make_user("rw.lead2", Role.LEAD, "market"),
        "finance": make_user("rw.finance", Role.FINANCE),
        "other_lead": make_user("rw.xihu.lead", Role.LEAD, "market-330106"),
    }


def proposed(people, fines="120000.00", **kwargs):
    report, key = decided_tip(fines=fines)
    with frozen_at(PROPOSED_AT):
        award = ops.propose_reward(
            report, people["staff"], kwargs.pop("level", 2), "证据直接、完全属实", CLEAR, **kwargs
        )
    db.session.commit()
    return award, key


def events(award):
    query = select(AuditEvent).where(
        AuditEvent.object_type == "reward_awards", AuditEvent.object_id == award.id
    )
    return db.session.scalars(query.order_by(AuditEvent.seq)).all()


def test_staff_propose_with_the_rule_amount_and_a_lead_approves(people):
    award, _ = proposed(people)
    assert (award.status, award.rule_amount, award.amount, award.policy_version) == (
        "proposed",
        D("3600.00"),
        D("3600.00"),
        "SAMR-2021-4",
    )
    with frozen_at(PROPOSED_AT):
        ops.approve_reward(award, people["lead"])
    db.session.commit()
    assert award.status == "approved" and award.approver_id == people["lead"].id
    assert [s.amount for s in award.shares] == [D("3600.00")]
    actions = [e.action for e in events(award)]
    assert actions == ["reward.proposed", "reward.approved"]
    assert all("李四" not in str(e.data) and "13800001111" not in str(e.data) for e in events(award))


def test_a_different_amount_needs_a_written_reason_and_stays_within_the_cap(people):
    report, _ = decided_tip()
    with pytest.raises(RewardError) as refused:
        ops.propose_reward(report, people["staff"], 2, "理由", CLEAR, amount="5000.00")
    assert refused.value.code == "reward_amount_reason_required"
    with pytest.raises(RewardError) as refused:
        ops.propose_reward(report, people["staff"], 2, "理由", CLEAR, amount="1000000.01", amount_reason="x")
    assert refused.value.code == "reward_above_cap"
    award = ops.propose_reward(
        report, people["staff"], 2, "理由", CLEAR, amount="5000.00", amount_reason="协助查办"
    )
    assert (award.rule_amount, award.amount, award.amount_reason) == (D("3600.00"), D("5000.00"), "协助查办")


def test_an_ineligible_tip_off_cannot_be_proposed(people):
    report, _ = decided_tip(fines="99999.99")
    with pytest.raises(RewardError) as refused:
        ops.propose_reward(report, people["staff"], 2, "理由", CLEAR)
    assert refused.value.code == "reward_not_major"
    assert db.session.scalars(select(RewardAward)).all() == []


def test_the_proposer_never_approves_in_the_code_or_in_the_database(people):
    report, _ = decided_tip()
    award = ops.propose_reward(report, people["lead"], 2, "理由", CLEAR)  # a lead may propose too
    db.session.commit()
    with pytest.raises(RewardError) as refused:
        ops.approve_reward(award, people["lead"])
    assert refused.value.code == "own_reward_proposal"
    db.session.rollback()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text("UPDATE reward_awards SET approver_id = proposer_id WHERE id = :id"), {"id": award.id}
        )
    db.session.rollback()
    with pytest.raises(RewardError) as refused:
        ops.approve_reward(award, people["other_lead"])  # another department's lead
    assert refused.value.code == "reward_not_allowed"


def test_an_award_of_500000_or_more_needs_finance_sign_off_before_approval(people):
    award, _ = proposed(people, fines="12000000.00", level=1)
    assert award.amount == D("600000.00")
    with pytest.raises(RewardError) as refused:
        ops.approve_reward(award, people["lead"])
    assert refused.value.code == "reward_needs_signoff"
    db.session.rollback()
    with pytest.raises(RewardError):
        ops.sign_off_reward(award, people["lead"], "large_award")  # only finance signs off
    ops.sign_off_reward(award, people["finance"], "large_award", "预算已核")
    ops.approve_reward(award, people["lead"])
    db.session.commit()
    assert award.status == "approved" and award.signoffs[0].user_id == people["finance"].id


def test_just_below_the_threshold_no_sign_off_is_needed(people):
    award, _ = proposed(people, fines="9999999.80", level=1)
    assert award.amount == D("499999.99")
    with pytest.raises(RewardError) as refused:
        ops.sign_off_reward(award, people["finance"], "large_award")
    assert refused.value.code == "reward_signoff_not_needed"
    db.session.rollback()
    ops.approve_reward(award, people["lead"])
    assert award.status == "approved"


def test_an_insider_raise_needs_finance_consent(people):
    import dataclasses

    report, _ = decided_tip()
    insider = dataclasses.replace(CLEAR, violator=True, insider=True)
    with pytest.raises(RewardError) as refused:
        ops.propose_reward(report, people["staff"], 2, "理由", CLEAR, insider_multiplier="2")
    assert refused.value.code == "reward_raise_only_for_insiders"
    award = ops.propose_reward(report, people["staff"], 2, "内部知情人", insider, insider_multiplier="1.5")
    assert award.rule_amount == D("5400.00")
    with pytest.raises(RewardError) as refused:
        ops.approve_reward(award, people["lead"])
    assert refused.value.code == "reward_needs_consent"
    ops.sign_off_reward(award, people["finance"], "insider_raise")
    ops.approve_reward(award, people["lead"])
    assert award.status == "approved"


def test_joint_reporters_share_exactly_by_largest_remainder(people):
    report, _ = decided_tip()
    for name in ("王五", "赵六"):
        joint = Reporter(name=name, created_at=datetime(2026, 1, 1))
        db.session.add(ReportReporter(report_id=report.id, reporter=joint, role=ReporterRole.JOINT))
    db.session.commit()
    award = ops.propose_reward(
        report, people["staff"], 3, "三人共同举报", CLEAR, amount="1000.00", amount_reason="x"
    )
    # level 3 on 120,000 gives 1,200.00; 1,000.00 chosen so the split does not divide evenly
    ops.approve_reward(award, people["lead"])
    db.session.commit()
    shares = [(s.role, s.amount) for s in award.shares]
    assert shares == [("primary", D("333.34")), ("joint", D("333.33")), ("joint", D("333.33"))]
    assert sum(s.amount for s in award.shares) == award.amount


def test_an_approved_decision_is_never_edited_and_shares_never_change(people):
    award, _ = proposed(people)
    ops.approve_reward(award, people["lead"])
    db.session.commit()
    for statement in (
        "UPDATE reward_awards SET amount = 9999 WHERE id = :id",
        "DELETE FROM reward_awards WHERE id = :id",
        "UPDATE reward_shares SET amount = 1 WHERE award_id = :id",
    ):
        with pytest.raises(DatabaseError), db.session.begin_nested():
            db.session.execute(text(statement), {"id": award.id})
        db.session.rollback()
    db.session.expire_all()
    assert db.session.get(RewardAward, award.id).amount == D("3600.00")


def test_the_reporter_sees_the_decision_and_claims_to_an_account_in_their_name(app, people):
    award, key = proposed(people)
    ops.approve_reward(award, people["lead"])
    db.session.commit()
    browser = app.test_client()
    browser.post("/track?lang=en", data={"number": award.report.number, "access_key": key})
    page = html.unescape(browser.get("/track/status?lang=en").get_data(as_text=True))
    assert "A reward of 3600.00 yuan was approved" in page and 'id="reward-claim-form"' in page
    wrong = browser.post(
        "/track/reward/claim?lang=en",
        data={"payee_name": "张三", "bank_name": "工商银行", "bank_account": "6222021234567890"},
    )
    assert wrong.status_code == 302
    db.session.expire_all()
    assert db.session.get(RewardAward, award.id).primary_share.claimed_at is None
    browser.post(
        "/track/reward/claim?lang=en",
        data={"payee_name": "李 四", "bank_name": "工商银行", "bank_account": "6222 0212 3456 7890"},
    )
    db.session.expire_all()
    stored = db.session.get(RewardAward, award.id).primary_share
    assert (stored.claim_method, stored.bank_account, stored.payee_name) == (
        "bank",
        "6222021234567890",
        "李 四",
    )
    raw = db.session.execute(
        text("SELECT bank_account FROM reward_shares WHERE id = :id"), {"id": stored.id}
    ).scalar()
    assert "6222021234567890" not in raw  # encrypted at rest
    claimed = [e for e in events(award) if e.action == "reward.claimed"][0]
    assert "6222" not in str(claimed.data) and "李" not in str(claimed.data)


def test_an_anonymous_reporter_is_told_to_claim_in_person(app, people):
    report, key = decided_tip(anonymous=True, reporter_name=None, reporter_phone=None)
    award = ops.propose_reward(report, people["staff"], 2, "理由", CLEAR)
    ops.approve_reward(award, people["lead"])
    db.session.commit()
    browser = app.test_client()
    browser.post("/track", data={"number": report.number, "access_key": key})
    page = browser.get("/track/status?lang=en").get_data(as_text=True)
    assert 'id="reward-in-person"' in page and 'id="reward-claim-form"' not in page
    with pytest.raises(RewardError) as refused:
        ops.claim_by_bank(award, "某人", "银行", "6222021234567890")
    assert refused.value.code == "reward_claim_in_person"


def test_an_unclaimed_award_lapses_after_30_working_days_across_the_holiday(app, people):
    award, key = proposed(people)
    with frozen_at(PROPOSED_AT):
        ops.approve_reward(award, people["lead"])
    db.session.commit()
    # 30 working days from Mon 21 Sept 2026 on the official calendar (holidays skipped, the
    # adjusted working Saturday counted): the last day to claim is Mon 9 Nov (weekdays: 2 Nov).
    assert (award.notified_on, award.claim_due_on) == (date(2026, 9, 21), date(2026, 11, 9))
    with frozen_at(datetime(2026, 11, 9, 15, 0)):  # 23:00 in Beijing on the last day
        sweep_deadlines()
    db.session.commit()
    assert award.status == "approved"
    with frozen_at(datetime(2026, 11, 9, 16, 1)):  # 00:01 on 10 Nov in Beijing
        result = sweep_deadlines()
        again = sweep_deadlines()
    db.session.commit()
    assert award.status == "lapsed" and result.changed["reward_lapsed"] == 1
    assert "reward_lapsed" not in again.changed
    assert [e.action for e in events(award)][-1] == "reward.lapsed"
    browser = app.test_client()
    browser.post("/track", data={"number": award.report.number, "access_key": key})
    page = browser.get("/track/status?lang=en").get_data(as_text=True)
    assert 'id="reward-lapsed"' in page and "has lapsed" in page
    with pytest.raises(RewardError) as refused:
        ops.claim_by_bank(award, "李四", "银行", "6222021234567890")
    assert refused.value.code == "reward_not_claimable"


def test_through_the_back_office_staff_propose_and_another_lead_approves(app, people, client, login_as):
    from tests.conftest import sign_in_through_forms

    report, _ = decided_tip()
    staff = sign_in_through_forms(app.test_client(), people["staff"])
    form = {"level": "2", "justification": "证据直接", "insider_multiplier": "1"}
    form |= {name: "no" for name in CLEAR.as_data()} | {"natural_person": "yes"}
    page = staff.get(f"/admin/reports/{report.number}/reward").get_data(as_text=True)
    assert 'data-level="2">3600.00<' in page
    assert staff.post(f"/admin/reports/{report.number}/reward/propose", data=form).status_code == 302
    award = ops.live_award(report)
    assert award.amount == D("3600.00") and award.answers["natural_person"] is True
    unanswered = form | {"legal_duty": ""}
    db.session.delete(award)  # a proposal (still undecided) may be withdrawn in this test
    db.session.commit()
    refused = staff.post(f"/admin/reports/{report.number}/reward/propose?lang=en", data=unanswered)
    assert refused.status_code == 409 and "Answer every question" in html.unescape(
        refused.get_data(as_text=True)
    )
    staff.post(f"/admin/reports/{report.number}/reward/propose", data=form)
    lead = sign_in_through_forms(app.test_client(), people["lead"])
    assert (
        lead.post(f"/admin/reports/{report.number}/reward/decide", data={"decision": "approve"}).status_code
        == 302
    )
    db.session.expire_all()
    assert ops.live_award(report).status == "approved"
    finance = sign_in_through_forms(app.test_client(), people["finance"])
    listing = finance.get("/admin/rewards").get_data(as_text=True)
    assert report.number in listing
    assert finance.get(f"/admin/reports/{report.number}").status_code == 404  # no case content
