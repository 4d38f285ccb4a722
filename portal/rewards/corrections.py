"""Taking a reward decision back: withdrawing a pending proposal, and correcting an approved (or
lapsed) award by a linked reversal that two people put on record. Same pattern as operations.py:
check the rules, change the rows, record an audit event; callers commit once afterwards."""

from decimal import Decimal

from sqlalchemy import select

from portal.accounts.permissions import Action, can
from portal.audit.chain import Actor, record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.rewards.errors import RewardError
from portal.rewards.models import AwardStatus, RewardAward, RewardAwardReversal, RewardPayout, RewardReversal
from portal.rewards.operations import _lock, _lock_report, _text

CORRECTABLE = (AwardStatus.APPROVED, AwardStatus.LAPSED)


def _withdrawer(user, award):
    """The proposer, or a lead of the department (who may decide it)."""
    mine = user.id == award.proposer_id and can(user, Action.PROPOSE_REWARD, award.report)
    return mine or can(user, Action.DECIDE_REWARD, award.report)


def may_withdraw(user, award):
    return award.status == AwardStatus.PROPOSED and _withdrawer(user, award)


def withdraw_reward(award, user, reason):
    """A pending proposal is taken back with a reason; the report may be proposed again."""
    if not _withdrawer(user, award):
        raise RewardError("reward_not_allowed")
    _lock(award, AwardStatus.PROPOSED)
    if not _text(reason):
        raise RewardError("reason_required")
    award.status, award.open_report_id = AwardStatus.WITHDRAWN, None
    award.withdrawn_by_id, award.withdrawn_at, award.decision_reason = user.id, utcnow(), _text(reason)
    record_event("reward.withdrawn", award, Actor.for_user(user), {"reason": award.decision_reason})
    return award


def standing_payouts(award):
    """Payouts of this award not reversed: money out that a correction must see recovered first."""
    reversed_ids = select(RewardReversal.payout_id)
    query = select(RewardPayout).where(
        RewardPayout.award_id == award.id, RewardPayout.id.not_in(reversed_ids)
    )
    return db.session.scalars(query).all()


def _check_no_money_out(award):
    # Our choice: an award whose money is out is not reversed while it is. Finance first reverses
    # each payout (RewardReversal: the money came back or was recovered), so the books show where
    # every yuan went before the decision is taken back; the correction never hides a payment.
    if standing_payouts(award):
        raise RewardError("reward_payouts_standing")


def may_request_correction(user, award):
    return (
        award.status in CORRECTABLE
        and award.reversal is None
        and (can(user, Action.PROPOSE_REWARD, award.report) or can(user, Action.DECIDE_REWARD, award.report))
    )


def request_correction(award, user, reason):
    """Staff or a lead of the department asks for a decided award to be reversed, with a reason.
    Nothing changes for the reporter until another lead confirms."""
    if not (can(user, Action.PROPOSE_REWARD, award.report) or can(user, Action.DECIDE_REWARD, award.report)):
        raise RewardError("reward_not_allowed")
    _lock_report(award.report)
    _lock(award, *CORRECTABLE)
    if db.session.scalar(select(RewardAwardReversal.id).where(RewardAwardReversal.award_id == award.id)):
        raise RewardError("reward_correction_exists")
    if not _text(reason):
        raise RewardError("reason_required")
    _check_no_money_out(award)
    reversal = RewardAwardReversal(
        award_id=award.id, reason=_text(reason), requested_by_id=user.id, requested_at=utcnow()
    )
    db.session.add(reversal)
    db.session.flush()
    db.session.expire(award, ["reversal"])
    record_event(
        "reward.correction_requested",
        award,
        Actor.for_user(user),
        {"reversal": reversal.id, "amount": award.amount, "reason": reversal.reason},
    )
    return reversal


def may_confirm_correction(user, award):
    pending = award.reversal is not None and award.reversal.confirmed_at is None
    return (
        pending
        and user.id != award.reversal.requested_by_id
        and can(user, Action.DECIDE_REWARD, award.report)
    )


def confirm_correction(award, lead):
    """Another lead of the department confirms: the award becomes `reversed` (its decision stays
    as it was), the report is free for a corrected proposal, which will name this award."""
    if not can(lead, Action.DECIDE_REWARD, award.report):
        raise RewardError("reward_not_allowed")
    _lock_report(award.report)
    _lock(award, *CORRECTABLE)
    reversal = db.session.scalar(
        select(RewardAwardReversal).where(RewardAwardReversal.award_id == award.id).with_for_update()
    )
    if reversal is None or reversal.confirmed_at is not None:
        raise RewardError("reward_not_in_state")
    if reversal.requested_by_id == lead.id:
        raise RewardError("own_reward_correction")
    _check_no_money_out(award)  # finance may have paid while the request waited
    reversal.confirmed_by_id, reversal.confirmed_at = lead.id, utcnow()
    db.session.flush()
    previous = award.status
    award.status, award.open_report_id, award.reversal_id = AwardStatus.REVERSED, None, reversal.id
    data = {
        "reversal": reversal.id,
        "was": previous,
        "amount": award.amount,
        "paid_back": sum((p.amount for p in award.payouts), Decimal("0.00")),
        "reason": reversal.reason,
    }
    record_event("reward.reversed", award, Actor.for_user(lead), data)
    return reversal


def replacement_of(award):
    """The latest award proposed to replace this reversed one (None if none yet)."""
    query = (
        select(RewardAward).where(RewardAward.corrects_award_id == award.id).order_by(RewardAward.id.desc())
    )
    return db.session.scalars(query).first()
