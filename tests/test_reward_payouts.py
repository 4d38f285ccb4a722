"""Payouts: finance records them after the claim, never above the approved share, never twice
(also when two finance sessions race on PostgreSQL); payouts are never edited or deleted, a
correction is a linked reversal. Bank details are shown to finance only."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Numeric, bindparam, func, select, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from portal.accounts.models import Role, User
from portal.clock import local_today
from portal.extensions import db
from portal.rewards import operations as ops
from portal.rewards.errors import RewardError
from portal.rewards.models import RewardAward, RewardPayout
from tests.conftest import ON_POSTGRES, make_user, sign_in_through_forms
from tests.rewards_helpers import CLEAR, decided_tip

D = Decimal


@pytest.fixture
def claimed(app):
    """An approved award of 3,600.00 claimed to a bank account in the reporter's name."""
    staff = make_user("pay.staff", Role.STAFF, "market")
    lead = make_user("pay.lead", Role.LEAD, "market")
    finance = make_user("pay.finance", Role.FINANCE)
    report, _ = decided_tip()
    award = ops.propose_reward(report, staff, 2, "证据直接", CLEAR)
    ops.approve_reward(award, lead)
    ops.claim_by_bank(award, "李四", "工商银行", "6222021234567890")
    db.session.commit()
    return award, finance, lead


def pay(award, finance, amount="3600.00", **overrides):
    values = {"method": "bank_transfer", "reference": "TX-001", "paid_on": local_today()} | overrides
    return ops.record_payout(award, award.shares[0], finance, amount, **values)


def test_finance_records_the_payout_audited_without_bank_details(claimed):
    award, finance, lead = claimed
    with pytest.raises(RewardError) as refused:
        pay(award, lead)
    assert refused.value.code == "reward_not_allowed"
    payout = pay(award, finance)
    db.session.commit()
    assert (payout.amount, payout.attempt, payout.share_amount) == (D("3600.00"), 1, D("3600.00"))
    from portal.audit.models import AuditEvent

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reward.paid"))
    assert event.data["amount"] == "3600.00" and "6222" not in str(event.data)


def test_no_payout_before_the_claim_nor_before_approval(app):
    staff, lead = make_user("p2.staff", Role.STAFF, "market"), make_user("p2.lead", Role.LEAD, "market")
    finance = make_user("p2.finance", Role.FINANCE)
    report, _ = decided_tip()
    award = ops.propose_reward(report, staff, 2, "证据直接", CLEAR)
    db.session.commit()
    with pytest.raises(RewardError) as refused:  # proposed only: finance may not pay it
        ops.record_payout(award, None, finance, "3600.00", "cash", "C-1", local_today())
    assert refused.value.code == "reward_not_in_state"
    db.session.rollback()
    ops.approve_reward(award, lead)
    with pytest.raises(RewardError) as refused:
        ops.record_payout(award, award.shares[0], finance, "3600.00", "cash", "C-1", local_today())
    assert refused.value.code == "reward_not_claimed"
    ops.claim_in_person(award, finance)  # anonymous or not: the reporter came with the receipt
    with pytest.raises(RewardError) as refused:  # an in-person claim is paid in cash
        ops.record_payout(award, award.shares[0], finance, "3600.00", "bank_transfer", "T", local_today())
    assert refused.value.code == "reward_transfer_needs_bank_claim"
    with pytest.raises(RewardError) as refused:
        ops.record_payout(award, award.shares[0], finance, "3600.00", "cash", "C-1", date(2020, 1, 1))
    assert refused.value.code == "reward_paid_on_invalid"
    assert ops.record_payout(award, award.shares[0], finance, "3600.00", "cash", "C-1", local_today()).amount


def test_never_above_the_share_nor_twice_in_the_code(claimed):
    award, finance, _ = claimed
    with pytest.raises(RewardError) as refused:
        pay(award, finance, "3600.01")
    assert refused.value.code == "reward_payout_above_share"
    pay(award, finance)
    with pytest.raises(RewardError) as refused:
        pay(award, finance, "1.00", reference="TX-002")
    assert refused.value.code == "reward_already_paid"


def _insert(award, attempt=1, amount="3600.00", share_amount="3600.00", finance_id=1):
    money = (bindparam("sa", type_=Numeric(14, 2)), bindparam("amount", type_=Numeric(14, 2)))
    db.session.execute(
        text(
            "INSERT INTO reward_payouts (award_id, share_id, share_amount, attempt, amount, method,"
            " reference, paid_on, recorded_by_id, recorded_at)"
            " VALUES (:a, :s, :sa, :n, :amount, 'cash', 'SQL', :d, :u, :d)"
        ).bindparams(*money),
        {
            "a": award.id,
            "s": award.shares[0].id,
            "sa": D(share_amount),
            "n": attempt,
            "amount": D(amount),
            "d": date(2026, 6, 1),
            "u": finance_id,
        },
    )


def test_the_database_refuses_double_and_over_payment_itself(claimed):
    award, finance, _ = claimed
    pay(award, finance)
    db.session.commit()
    with pytest.raises(IntegrityError), db.session.begin_nested():  # the same payment again
        _insert(award, finance_id=finance.id)
    db.session.rollback()
    with pytest.raises(IntegrityError), db.session.begin_nested():  # above the share
        _insert(award, attempt=2, amount="3600.01", finance_id=finance.id)
    db.session.rollback()
    if ON_POSTGRES:  # SQLite does not enforce foreign keys here (no PRAGMA): PostgreSQL does
        with pytest.raises(IntegrityError), db.session.begin_nested():  # a share amount made up
            _insert(award, attempt=2, amount="5000.00", share_amount="5000.00", finance_id=finance.id)
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RewardPayout)) == 1


def test_payouts_are_never_edited_or_deleted_and_a_reversal_allows_one_new_payment(claimed):
    award, finance, _ = claimed
    first = pay(award, finance)
    db.session.commit()
    for statement in (
        "UPDATE reward_payouts SET amount = 1 WHERE id = :id",
        "DELETE FROM reward_payouts WHERE id = :id",
    ):
        with pytest.raises(DatabaseError), db.session.begin_nested():
            db.session.execute(text(statement), {"id": first.id})
        db.session.rollback()
    ops.reverse_payout(first, finance, "银行退回：账户已销户")
    db.session.commit()
    with pytest.raises(RewardError) as refused:
        ops.reverse_payout(first, finance, "again")
    assert refused.value.code == "reward_already_reversed"
    db.session.rollback()
    second = pay(award, finance, reference="TX-002")
    db.session.commit()
    assert (second.attempt, first.reversal.reason) == (2, "银行退回：账户已销户")
    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.execute(text("DELETE FROM reward_reversals"))
    db.session.rollback()


@pytest.mark.skipif(not ON_POSTGRES, reason="two sessions at once need PostgreSQL (SQLite has one writer)")
def test_two_finance_sessions_racing_record_one_payout(app, claimed):
    award, finance, _ = claimed
    award_id, finance_id = award.id, finance.id
    db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def desk(reference):
        with app.app_context():
            try:
                mine = db.session.get(RewardAward, award_id)
                user = db.session.get(User, finance_id)
                barrier.wait(timeout=10)
                ops.record_payout(
                    mine, mine.shares[0], user, "3600.00", "bank_transfer", reference, local_today()
                )
                db.session.commit()
                outcomes.append("paid")
            except (RewardError, IntegrityError) as exc:
                db.session.rollback()
                outcomes.append(getattr(exc, "code", "integrity"))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=desk, args=(ref,)) for ref in ("TX-A", "TX-B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.expire_all()
    assert sorted(outcomes) == ["paid", "reward_already_paid"] or sorted(outcomes) == ["integrity", "paid"]
    assert db.session.scalar(select(func.count()).select_from(RewardPayout)) == 1


def test_bank_details_are_shown_to_finance_only(app, claimed):
    award, finance, lead = claimed
    number = award.report.number
    finance_page = sign_in_through_forms(app.test_client(), finance).get(f"/admin/reports/{number}/reward")
    assert "6222021234567890" in finance_page.get_data(as_text=True)
    lead_page = sign_in_through_forms(app.test_client(), lead).get(f"/admin/reports/{number}/reward")
    assert lead_page.status_code == 200 and "6222021234567890" not in lead_page.get_data(as_text=True)
    assert "3600.00" in lead_page.get_data(as_text=True)


def test_finance_records_a_payout_through_the_back_office(app, claimed):
    award, finance, _ = claimed
    browser = sign_in_through_forms(app.test_client(), finance)
    form = {
        "share_id": award.shares[0].id,
        "amount": "3600.00",
        "method": "bank_transfer",
        "reference": "TX-9",
        "paid_on": local_today().isoformat(),
    }
    assert browser.post(f"/admin/reports/{award.report.number}/reward/payout", data=form).status_code == 302
    again = browser.post(f"/admin/reports/{award.report.number}/reward/payout", data=form)
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(RewardPayout)) == 1
