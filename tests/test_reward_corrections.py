"""Taking reward decisions back and claims per share: an approved award is corrected by a linked
reversal two people put on record (never while money is out), which frees the report for a
corrected proposal; a pending proposal is withdrawn; each reporter claims their own share (a
joint reporter in person, after an identity check); unclaimed shares lapse one by one."""

import csv
import html
import io
from datetime import date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.clock import frozen_at, local_today
from portal.deadlines.sweep import sweep_deadlines
from portal.extensions import db
from portal.reports.reporters import Reporter, ReporterRole, ReportReporter
from portal.rewards import corrections
from portal.rewards import operations as ops
from portal.rewards.errors import RewardError
from portal.rewards.models import RewardAward, RewardAwardReversal
from tests.conftest import make_user, sign_in_through_forms
from tests.rewards_helpers import CLEAR, decided_tip

# Monday 2026-09-21, before the Mid-Autumn and National Day holidays of 2026 (as the lapse test).
APPROVED_AT = datetime(2026, 9, 21, 2, 0)


@pytest.fixture
def people(app):
    return {
        "staff": make_user("rc.staff", Role.STAFF, "market"),
        "staff2": make_user("rc.staff2", Role.STAFF, "market"),
        "lead": make_user("rc.lead", Role.LEAD, "market"),
        "lead2": make_user("rc.lead2", Role.LEAD, "market"),
        "finance": make_user("rc.finance", Role.FINANCE),
        "auditor": make_user("rc.auditor", Role.AUDITOR),
        "other_lead": make_user("rc.xihu.lead", Role.LEAD, "market-330106"),
    }


def approved(people, joint=(), **tip):
    report, key = decided_tip(**tip)
    for name in joint:
        reporter = Reporter(name=name, created_at=datetime(2026, 1, 1))
        db.session.add(ReportReporter(report_id=report.id, reporter=reporter, role=ReporterRole.JOINT))
    db.session.commit()
    award = ops.propose_reward(report, people["staff"], 2, "证据直接", CLEAR)
    ops.approve_reward(award, people["lead"])
    db.session.commit()
    return award, key


def refused(code, call, *args, **kwargs):
    with pytest.raises(RewardError) as error:
        call(*args, **kwargs)
    db.session.rollback()
    assert error.value.code == code


def actions(award):
    query = select(AuditEvent.action).where(
        AuditEvent.object_type == "reward_awards", AuditEvent.object_id == award.id
    )
    return db.session.scalars(query.order_by(AuditEvent.seq)).all()


def reversed_award(people, award=None):
    award = award or approved(people)[0]
    corrections.request_correction(award, people["staff"], "定级错误，应为三级")
    corrections.confirm_correction(award, people["lead"])
    db.session.commit()
    return award


# --- correcting an approved award -------------------------------------------------------------


def test_a_correction_is_refused_while_a_payout_stands_and_allowed_once_it_is_reversed(people):
    award, _ = approved(people)
    ops.claim_by_bank(award, "李四", "工商银行", "6222021234567890")
    payout = ops.record_payout(
        award, award.shares[0], people["finance"], "3600.00", "bank_transfer", "TX-1", local_today()
    )
    db.session.commit()
    refused("reward_payouts_standing", corrections.request_correction, award, people["staff"], "错")
    ops.reverse_payout(payout, people["finance"], "款项已追回")
    corrections.request_correction(award, people["staff"], "定级错误")
    db.session.commit()
    assert award.status == "approved"  # nothing changes until a second person confirms
    corrections.confirm_correction(award, people["lead"])
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(RewardAward, award.id)
    assert (stored.status, stored.open_report_id, stored.amount) == ("reversed", None, 3600)
    assert stored.reversal_id == stored.reversal.id and stored.reversal.confirmed_by_id == people["lead"].id
    assert actions(stored)[-2:] == ["reward.correction_requested", "reward.reversed"]


def test_a_payout_made_while_the_correction_waits_stops_the_confirmation(people):
    award, _ = approved(people)
    ops.claim_by_bank(award, "李四", "工商银行", "6222021234567890")
    corrections.request_correction(award, people["staff"], "定级错误")
    ops.record_payout(
        award, award.shares[0], people["finance"], "3600.00", "bank_transfer", "T", local_today()
    )
    db.session.commit()
    refused("reward_payouts_standing", corrections.confirm_correction, award, people["lead"])
    assert db.session.get(RewardAward, award.id).status == "approved"


def test_two_people_put_a_correction_on_record(people):
    award, _ = approved(people)
    refused("reward_not_allowed", corrections.request_correction, award, people["finance"], "x")
    refused("reward_not_allowed", corrections.request_correction, award, people["other_lead"], "x")
    refused("reason_required", corrections.request_correction, award, people["lead"], "  ")
    corrections.request_correction(award, people["lead"], "金额有误")
    db.session.commit()
    refused("reward_correction_exists", corrections.request_correction, award, people["lead2"], "y")
    refused("own_reward_correction", corrections.confirm_correction, award, people["lead"])
    refused("reward_not_allowed", corrections.confirm_correction, award, people["staff2"])
    # The database refuses the same person twice, and a second reversal row for the award.
    reversal = award.reversal
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text("UPDATE reward_award_reversals SET confirmed_by_id = requested_by_id, confirmed_at = :t"),
            {"t": datetime(2026, 9, 22)},
        )
    db.session.rollback()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            RewardAwardReversal(
                award_id=award.id,
                reason="again",
                requested_by_id=people["lead2"].id,
                requested_at=datetime(2026, 9, 22),
            )
        )
        db.session.flush()
    db.session.rollback()
    corrections.confirm_correction(award, people["lead2"])
    db.session.commit()
    assert award.status == "reversed" and reversal.confirmed_by_id == people["lead2"].id


def test_the_database_keeps_reversed_status_and_its_reversal_row_together(people):
    award, _ = approved(people)
    # reversed without a reversal row: refused by the check constraint
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text("UPDATE reward_awards SET status = 'reversed', open_report_id = NULL WHERE id = :id"),
            {"id": award.id},
        )
    db.session.rollback()
    done = reversed_award(people, award)
    # a reversed award never comes back, and its reversal row is never deleted or re-dated
    for statement in (
        "UPDATE reward_awards SET status = 'approved', reversal_id = NULL, open_report_id = report_id"
        " WHERE id = :id",
        "DELETE FROM reward_award_reversals WHERE award_id = :id",
        "UPDATE reward_award_reversals SET reason = 'other' WHERE award_id = :id",
    ):
        with pytest.raises(DatabaseError), db.session.begin_nested():
            db.session.execute(text(statement), {"id": done.id})
        db.session.rollback()
    db.session.expire_all()
    assert db.session.get(RewardAward, done.id).status == "reversed"


def test_a_reversal_frees_the_report_for_a_corrected_proposal_whose_cap_ignores_it(people):
    award = reversed_award(people)
    report = award.report
    cap = award.policy.case_cap
    assert ops.already_awarded(report) == 0 and ops.live_award(report) is None
    corrected = ops.propose_reward(
        report, people["staff2"], 2, "更正后的建议", CLEAR, amount=str(cap), amount_reason="更正：按上限"
    )
    db.session.commit()
    # the whole cap was room: the reversed 3,600.00 no longer takes any of it
    assert (corrected.amount, corrected.already_awarded, corrected.corrects_award_id) == (cap, 0, award.id)
    assert corrections.replacement_of(award) == corrected


def test_a_replacement_that_is_withdrawn_still_leaves_the_next_one_linked_to_the_reversed_award(people):
    award = reversed_award(people)
    first = ops.propose_reward(award.report, people["staff"], 3, "更正", CLEAR)
    corrections.withdraw_reward(first, people["staff"], "再核")
    second = ops.propose_reward(award.report, people["staff"], 3, "更正", CLEAR)
    db.session.commit()
    assert (first.corrects_award_id, second.corrects_award_id) == (award.id, award.id)


def test_the_reporter_is_told_the_decision_was_corrected_without_staff_names(app, people):
    award, key = approved(people)
    reversed_award(people, award)
    browser = app.test_client()
    browser.post("/track", data={"number": award.report.number, "access_key": key})
    page = html.unescape(browser.get("/track/status?lang=en").get_data(as_text=True))
    assert 'id="reward-reversed"' in page and "was corrected" in page
    assert "rc.staff" not in page and "rc.lead" not in page and "定级错误" not in page
    corrected = ops.propose_reward(award.report, people["staff"], 3, "更正", CLEAR)
    ops.approve_reward(corrected, people["lead"])
    db.session.commit()
    page = html.unescape(browser.get("/track/status?lang=en").get_data(as_text=True))
    assert 'id="reward-corrected"' in page and f"A reward of {corrected.amount} yuan was approved" in page


def test_the_auditors_view_and_its_export_show_the_reversal_and_the_corrected_award(app, people):
    award = reversed_award(people)
    corrected = ops.propose_reward(award.report, people["staff"], 3, "更正", CLEAR)
    db.session.commit()
    browser = sign_in_through_forms(app.test_client(), people["auditor"])
    page = html.unescape(browser.get("/admin/rewards/audit?lang=en").get_data(as_text=True))
    row = page[page.index(f'data-award="{award.id}"') :]
    row = row[: row.index("</tr>")]
    assert "reversed" in row and 'data-confirmed="yes"' in row and f"#{corrected.id}" in row
    response = browser.get("/admin/rewards/audit/decisions.csv?lang=en")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, data = rows[0], {r[0]: r for r in rows[1:]}
    col = {name: header.index(name) for name in header}
    mine = data[str(award.id)]
    assert mine[col["Status"]] == "reversed" and mine[col["Corrected by award"]] == str(corrected.id)
    assert "定级错误" in mine[col["Correction (reversal)"]]
    assert data[str(corrected.id)][col["Corrects award"]] == str(award.id)


def test_the_correction_through_the_back_office_needs_a_second_lead(app, people):
    award, _ = approved(people)
    number = award.report.number
    staff = sign_in_through_forms(app.test_client(), people["staff"])
    url = f"/admin/reports/{number}/reward"
    assert 'id="correction-form"' in staff.get(url).get_data(as_text=True)
    assert staff.post(f"{url}/correction", data={"reason": "定级错误"}).status_code == 302
    page = staff.get(url).get_data(as_text=True)
    assert 'id="confirm-correction-form"' not in page  # staff never confirm
    refusal = staff.post(f"{url}/correction/confirm?lang=en", data={"award_id": award.id})
    assert refusal.status_code == 404
    lead = sign_in_through_forms(app.test_client(), people["lead"])
    assert 'id="confirm-correction-form"' in lead.get(url).get_data(as_text=True)
    assert lead.post(f"{url}/correction/confirm", data={"award_id": award.id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RewardAward, award.id).status == "reversed"
    assert 'id="propose-form"' in staff.get(url).get_data(as_text=True)  # a corrected proposal


# --- withdrawing a pending proposal -----------------------------------------------------------


def proposal(people, by="staff"):
    report, _ = decided_tip()
    award = ops.propose_reward(report, people[by], 2, "证据直接", CLEAR)
    db.session.commit()
    return award


@pytest.mark.parametrize("who", ["staff", "lead2"])
def test_the_proposer_or_a_lead_withdraws_a_pending_proposal(people, who):
    award = proposal(people)
    refused("reason_required", corrections.withdraw_reward, award, people[who], "")
    corrections.withdraw_reward(award, people[who], "证据需补充")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(RewardAward, award.id)
    assert (stored.status, stored.open_report_id, stored.withdrawn_by_id) == (
        "withdrawn",
        None,
        people[who].id,
    )
    assert actions(stored)[-1] == "reward.withdrawn"
    again = ops.propose_reward(stored.report, people["staff"], 3, "补充后重新建议", CLEAR)
    db.session.commit()
    assert again.status == "proposed" and again.corrects_award_id is None


@pytest.mark.parametrize("who", ["staff2", "finance", "other_lead", "auditor"])
def test_nobody_else_withdraws_a_proposal(people, who):
    award = proposal(people)
    refused("reward_not_allowed", corrections.withdraw_reward, award, people[who], "理由")
    assert db.session.get(RewardAward, award.id).status == "proposed"


def test_only_a_proposal_is_withdrawn(people):
    award, _ = approved(people)
    refused("reward_not_in_state", corrections.withdraw_reward, award, people["lead2"], "理由")
    assert db.session.get(RewardAward, award.id).status == "approved"
    withdrawn = proposal(people)
    corrections.withdraw_reward(withdrawn, people["staff"], "理由")
    db.session.commit()
    refused("reward_not_in_state", corrections.withdraw_reward, withdrawn, people["lead"], "再次")
    with pytest.raises(DatabaseError), db.session.begin_nested():  # final: never proposed again
        db.session.execute(
            text(
                "UPDATE reward_awards SET status = 'proposed', withdrawn_by_id = NULL, withdrawn_at = NULL,"
                " open_report_id = report_id WHERE id = :id"
            ),
            {"id": withdrawn.id},
        )
    db.session.rollback()


def test_withdrawal_through_the_back_office_refused_for_another_staff_member(app, people):
    award = proposal(people)
    url = f"/admin/reports/{award.report.number}/reward"
    other = sign_in_through_forms(app.test_client(), people["staff2"])
    assert 'id="withdraw-form"' not in other.get(url).get_data(as_text=True)
    response = other.post(f"{url}/withdraw?lang=en", data={"reason": "x"})
    assert response.status_code == 409 and "You may not do this" in html.unescape(
        response.get_data(as_text=True)
    )
    assert db.session.get(RewardAward, award.id).status == "proposed"
    mine = sign_in_through_forms(app.test_client(), people["staff"])
    assert 'id="withdraw-form"' in mine.get(url).get_data(as_text=True)
    assert mine.post(f"{url}/withdraw", data={"reason": "撤回"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RewardAward, award.id).status == "withdrawn"


# --- claims per share ----------------------------------------------------------------------------


def test_a_joint_reporter_claims_in_person_with_an_identity_check_and_is_paid_in_cash(people):
    award, _ = approved(people, joint=("王五",))
    primary, joint = award.shares
    assert (primary.role, joint.role, joint.reporter.name) == ("primary", "joint", "王五")
    ops.claim_by_bank(award, "李四", "工商银行", "6222021234567890")  # the receipt: primary share only
    db.session.commit()
    assert primary.claim_method == "bank" and joint.claimed_at is None
    finance = people["finance"]
    refused(
        "reward_not_claimed",
        ops.record_payout,
        award,
        joint,
        finance,
        joint.amount,
        "cash",
        "C",
        local_today(),
    )
    refused("reward_identity_note_required", ops.claim_in_person, award, finance, joint)
    refused("reward_not_allowed", ops.claim_in_person, award, people["lead"], joint, "身份证")
    ops.claim_in_person(award, finance, joint, "居民身份证原件")
    db.session.commit()
    assert (joint.claim_method, joint.identity_note, joint.claim_recorded_by_id) == (
        "in_person",
        "居民身份证原件",
        finance.id,
    )
    assert joint.bank_account is None  # nothing of the primary's account on the joint share
    refused("reward_transfer_needs_bank_claim", ops.record_payout, award, joint, finance, joint.amount,
            "bank_transfer", "T", local_today())  # fmt: skip
    cash = ops.record_payout(award, joint, finance, joint.amount, "cash", "CASH-1", local_today())
    transfer = ops.record_payout(
        award, primary, finance, primary.amount, "bank_transfer", "TX-1", local_today()
    )
    db.session.commit()
    assert (cash.share_id, cash.method, transfer.share_id) == (joint.id, "cash", primary.id)
    refused("reward_already_claimed", ops.claim_in_person, award, finance, joint, "again")


def test_a_share_without_its_own_bank_claim_is_never_paid_by_transfer(people):
    award, _ = approved(people, joint=("王五",))
    primary, joint = award.shares
    ops.claim_in_person(award, people["finance"])  # the receipt holder came to the office
    ops.claim_in_person(award, people["finance"], joint, "护照")
    db.session.commit()
    for share in (primary, joint):
        refused("reward_transfer_needs_bank_claim", ops.record_payout, award, share, people["finance"],
                share.amount, "bank_transfer", "T", local_today())  # fmt: skip


def test_shares_lapse_one_by_one_across_the_holiday(app, people):
    with frozen_at(APPROVED_AT):
        award, key = approved(people, joint=("王五",))
        ops.claim_by_bank(award, "李四", "工商银行", "6222021234567890")
        db.session.commit()
    assert award.claim_due_on == date(2026, 11, 9)  # 30 working days, holidays skipped
    primary, joint = award.shares
    with frozen_at(datetime(2026, 11, 9, 15, 0)):  # 23:00 on the last day in Beijing
        sweep_deadlines()
    db.session.commit()
    assert joint.lapsed_at is None
    with frozen_at(datetime(2026, 11, 9, 16, 1)):  # 00:01 on 10 Nov
        result = sweep_deadlines()
    db.session.commit()
    refused("reward_claim_window_over", ops.claim_in_person, award, people["finance"], joint, "身份证")
    assert result.changed["reward_lapsed"] == 1 and joint.lapsed_at is not None
    assert award.status == "approved" and primary.lapsed_at is None  # the claimed share is still paid
    assert actions(award)[-1] == "reward.share_lapsed"
    finance = people["finance"]
    refused(
        "reward_not_claimed",
        ops.record_payout,
        award,
        joint,
        finance,
        joint.amount,
        "cash",
        "C",
        local_today(),
    )
    assert ops.record_payout(
        award, primary, people["finance"], primary.amount, "bank_transfer", "TX", local_today()
    )


def test_an_award_lapses_when_none_of_its_shares_was_claimed(app, people):
    with frozen_at(APPROVED_AT):
        award, key = approved(people, joint=("王五",))
    with frozen_at(datetime(2026, 11, 9, 16, 1)):
        result = sweep_deadlines()
    db.session.commit()
    assert result.changed["reward_lapsed"] == 2
    assert award.status == "lapsed" and all(s.lapsed_at for s in award.shares)
    assert actions(award)[-3:] == ["reward.share_lapsed", "reward.share_lapsed", "reward.lapsed"]


def test_the_database_refuses_changing_a_share_after_approval_but_fills_its_claim_once(people):
    award, _ = approved(people)
    share = award.shares[0]
    for statement in (
        "UPDATE reward_shares SET amount = 1 WHERE id = :id",
        "UPDATE reward_shares SET role = 'joint' WHERE id = :id",
        "DELETE FROM reward_shares WHERE id = :id",
    ):
        with pytest.raises(DatabaseError), db.session.begin_nested():
            db.session.execute(text(statement), {"id": share.id})
        db.session.rollback()
    ops.claim_in_person(award, people["finance"])  # the claim columns are filled once
    db.session.commit()
    for statement in (
        "UPDATE reward_shares SET claim_method = 'bank' WHERE id = :id",
        "UPDATE reward_shares SET claimed_at = NULL, claim_method = NULL WHERE id = :id",
    ):
        with pytest.raises(DatabaseError), db.session.begin_nested():
            db.session.execute(text(statement), {"id": share.id})
        db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(RewardAward, award.id).shares[0]
    assert (stored.amount, stored.claim_method) == (3600, "in_person")


def test_finance_records_a_joint_reporters_claim_on_the_reward_page(app, people):
    award, _ = approved(people, joint=("王五",))
    joint = award.shares[1]
    url = f"/admin/reports/{award.report.number}/reward"
    finance = sign_in_through_forms(app.test_client(), people["finance"])
    page = finance.get(url).get_data(as_text=True)
    assert f'<option value="{joint.id}">joint (王五)' in page
    bare = finance.post(f"{url}/claim-in-person?lang=en", data={"share_id": joint.id, "identity_note": ""})
    assert bare.status_code == 409 and "identity document" in html.unescape(bare.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(RewardAward, award.id).shares[1].claimed_at is None
    done = finance.post(f"{url}/claim-in-person", data={"share_id": joint.id, "identity_note": "居民身份证"})
    assert done.status_code == 302
    db.session.expire_all()
    stored = db.session.get(RewardAward, award.id).shares
    assert (stored[0].claimed_at, stored[1].claim_method, stored[1].identity_note) == (
        None,
        "in_person",
        "居民身份证",
    )
