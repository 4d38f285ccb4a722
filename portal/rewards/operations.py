"""Every change to a reward is one function here: check the rules, change the rows, record an
audit event (amounts yes; bank details and identity never). Callers commit once afterwards."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.accounts.permissions import Action, can
from portal.audit.chain import CITIZEN, Actor, record_event
from portal.clock import local_today, utcnow
from portal.deadlines.calendar import Calendar
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.reporters import ReporterRole
from portal.reports.states import Kind
from portal.rewards.calculation import FEN, quote, split, to_fen
from portal.rewards.eligibility import Answers, check_eligible, penalty_total
from portal.rewards.errors import RewardError
from portal.rewards.models import (
    CLOSED,
    AwardStatus,
    ClaimMethod,
    PayoutMethod,
    RewardAward,
    RewardPayout,
    RewardReversal,
    RewardShare,
    RewardSignoff,
    SignoffKind,
)
from portal.rewards.policies import policy_in_force

# Awards that count against the case cap: decided or waiting; not rejected, withdrawn, lapsed or
# reversed (a corrected award's cap ignores the award it replaces).
COUNTING = (AwardStatus.PROPOSED, AwardStatus.APPROVED)
BANK_ACCOUNT = re.compile(r"^\d{8,30}$")


def live_award(report):
    """The report's award that is proposed, approved or lapsed (None if none)."""
    return db.session.scalar(select(RewardAward).where(RewardAward.open_report_id == report.id))


def awards_of(report):
    # An award needs a tip-off decided with a penalty (eligibility.py), and a decided report never
    # reopens (reports/states.py): an open report or a complaint has none, without asking.
    if report.kind != Kind.TIP or report.is_open:
        return []
    return db.session.scalars(
        select(RewardAward).where(RewardAward.report_id == report.id).order_by(RewardAward.id)
    ).all()


def already_awarded(report, leave_out=None):
    """What other awards of the same case (same case number) already take of the case cap."""
    same_case = select(Report.id).where(Report.case_number == report.case_number)
    query = select(func.coalesce(func.sum(RewardAward.amount), 0)).where(
        RewardAward.report_id.in_(same_case), RewardAward.status.in_(COUNTING)
    )
    if leave_out is not None:
        query = query.where(RewardAward.id != leave_out.id)
    return to_fen(db.session.scalar(query))


def corrected_award_id(report):
    """The reversed award a new proposal for this report replaces: the latest award if it was
    reversed, or what the latest (rejected or withdrawn) attempt at replacing it named."""
    awards = awards_of(report)
    latest = awards[-1] if awards else None
    if latest is None or latest.status not in CLOSED:
        return None
    return latest.id if latest.status == AwardStatus.REVERSED else latest.corrects_award_id


def reward_quote(report, level, insider_multiplier=Decimal(1), on=None):
    """(policy, Quote) the rules give for this report today (or `on`)."""
    policy = policy_in_force(on or local_today())
    if policy is None:
        raise RewardError("no_reward_policy")
    try:
        result = quote(
            policy.terms(), level, penalty_total(report), already_awarded(report), insider_multiplier
        )
    except ValueError:
        raise RewardError("reward_terms_invalid") from None
    return policy, result


def _money(value, code="reward_amount_invalid"):
    if value is None or isinstance(value, float | bool):
        raise RewardError(code)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise RewardError(code) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(FEN):
        raise RewardError(code)
    return amount.quantize(FEN)


def _text(value):
    return (value or "").strip() or None


def propose_reward(
    report, user, level, justification, answers, amount=None, amount_reason=None, insider_multiplier=1
):
    """Staff propose an award: eligibility first, then the rule's amount; a different amount
    needs a written reason and stays within what the case cap leaves."""
    if not can(user, Action.PROPOSE_REWARD, report):
        raise RewardError("reward_not_allowed")
    _lock_report(report)
    if live_award(report) is not None:
        raise RewardError("reward_exists")
    policy = policy_in_force(local_today())
    answers = answers if isinstance(answers, Answers) else Answers(**answers)
    check_eligible(report, policy, answers)
    multiplier = Decimal(str(insider_multiplier))
    if multiplier != 1 and not answers.insider:
        raise RewardError("reward_raise_only_for_insiders")
    if level not in (1, 2, 3):
        raise RewardError("reward_terms_invalid")
    _, rule = reward_quote(report, level, multiplier)
    if not _text(justification):
        raise RewardError("reward_justification_required")
    chosen = rule.amount if amount in (None, "") else _money(amount)
    reason = _text(amount_reason)
    if chosen != rule.amount and reason is None:
        raise RewardError("reward_amount_reason_required")
    room = policy.case_cap - already_awarded(report)
    if chosen > room:
        raise RewardError("reward_above_cap", f"{chosen} > {room}")
    if rule.amount <= 0 and chosen <= 0:
        raise RewardError("reward_above_cap")
    award = RewardAward(
        report=report,
        open_report_id=report.id,
        policy=policy,
        policy_version=policy.version,
        status=AwardStatus.PROPOSED,
        level=level,
        penalty_yuan=penalty_total(report),
        already_awarded=already_awarded(report),
        insider_multiplier=multiplier,
        rule_amount=rule.amount,
        amount=chosen,
        amount_reason=reason if chosen != rule.amount else None,
        justification=_text(justification),
        answers=answers.as_data(),
        proposer_id=user.id,
        proposed_at=utcnow(),
        corrects_award_id=corrected_award_id(report),
    )
    db.session.add(award)
    db.session.flush()
    data = _facts(award) | {"answers": award.answers, "corrects": award.corrects_award_id}
    record_event("reward.proposed", award, Actor.for_user(user), data)
    return award


def _facts(award):
    """What the audit trail says of an award: amounts and rules, never who the reporter is."""
    return {
        "report": award.report.number,
        "policy": award.policy_version,
        "level": award.level,
        "penalty_yuan": award.penalty_yuan,
        "already_awarded": award.already_awarded,
        "insider_multiplier": award.insider_multiplier,
        "rule_amount": award.rule_amount,
        "amount": award.amount,
        "amount_reason": award.amount_reason,
    }


def _lock_report(report):
    """Serialise reward changes of one report (FOR UPDATE on PostgreSQL; SQLite has one writer)."""
    db.session.scalar(select(Report.id).where(Report.id == report.id).with_for_update())


def _lock(award, *statuses):
    stored = db.session.scalar(select(RewardAward.status).where(RewardAward.id == award.id).with_for_update())
    if stored != award.status:
        raise RewardError("reward_changed", f"now {stored}")
    if statuses and award.status not in statuses:
        raise RewardError("reward_not_in_state", f"{award.status}")


def sign_off_reward(award, user, kind, note=None):
    """Finance records its sign-off of a large award, or its consent to an insider raise."""
    if not can(user, Action.SIGN_OFF_REWARD, award.report):
        raise RewardError("reward_not_allowed")
    _lock(award, AwardStatus.PROPOSED)
    kind = SignoffKind(kind)
    needed = award.needs_signoff if kind == SignoffKind.LARGE_AWARD else award.needs_consent
    if not needed:
        raise RewardError("reward_signoff_not_needed")
    if award.signed(kind):
        raise RewardError("reward_already_signed")
    signoff = RewardSignoff(
        award_id=award.id, kind=kind.value, user_id=user.id, signed_at=utcnow(), note=_text(note)
    )
    award.signoffs.append(signoff)
    record_event(f"reward.{kind.value}_signed", award, Actor.for_user(user), {"amount": award.amount})
    return signoff


def _check_decider(award, lead):
    if not can(lead, Action.DECIDE_REWARD, award.report):
        raise RewardError("reward_not_allowed")
    if lead.id == award.proposer_id:
        raise RewardError("own_reward_proposal")
    _lock(award, AwardStatus.PROPOSED)


def approve_reward(award, lead):
    """A lead approves (never the proposer): the sign-offs it needs must be on record; the
    shares are fixed and the reporter's claim window starts today."""
    _check_decider(award, lead)
    if award.needs_signoff and not award.signed(SignoffKind.LARGE_AWARD):
        raise RewardError("reward_needs_signoff")
    if award.needs_consent and not award.signed(SignoffKind.INSIDER_RAISE):
        raise RewardError("reward_needs_consent")
    if award.amount > award.policy.case_cap - already_awarded(award.report, leave_out=award):
        raise RewardError("reward_above_cap")
    today = local_today()
    due = Calendar().add_working_days(today, award.policy.claim_working_days).day
    links = sorted(
        award.report.reporter_links, key=lambda link: (link.role != ReporterRole.PRIMARY, link.reporter_id)
    )
    award.status = AwardStatus.APPROVED
    award.approver_id, award.decided_at = lead.id, utcnow()
    award.notified_on, award.claim_due_on = today, due
    people = [(link.reporter_id, link.role) for link in links] or [(None, ReporterRole.PRIMARY.value)]
    for (reporter_id, role), amount in zip(people, split(award.amount, [1] * len(people)), strict=True):
        award.shares.append(RewardShare(reporter_id=reporter_id, role=role, amount=amount))
    data = _facts(award) | {"shares": [s.amount for s in award.shares], "claim_due_on": award.claim_due_on}
    record_event("reward.approved", award, Actor.for_user(lead), data)
    return award


def reject_reward(award, lead, reason):
    """A lead rejects (never the proposer), with a reason; the report may be proposed again."""
    _check_decider(award, lead)
    if not _text(reason):
        raise RewardError("reason_required")
    award.status, award.open_report_id = AwardStatus.REJECTED, None
    award.approver_id, award.decided_at, award.decision_reason = lead.id, utcnow(), _text(reason)
    record_event("reward.rejected", award, Actor.for_user(lead), {"reason": award.decision_reason})
    return award


def _claimable(award, share):
    if award is None or award.status != AwardStatus.APPROVED or share is None:
        raise RewardError("reward_not_claimable")
    if share.award_id != award.id:
        raise RewardError("reward_not_in_state")
    if share.claimed_at is not None:
        raise RewardError("reward_already_claimed")
    if share.lapsed_at is not None or local_today() > award.claim_due_on:
        raise RewardError("reward_claim_window_over")


def same_name(a, b):
    """Names compared as people write them: NFKC, no spaces or middle dots."""

    def norm(name):
        return re.sub(r"[\s·•.]", "", unicodedata.normalize("NFKC", name or "")).casefold()

    return bool(norm(a)) and norm(a) == norm(b)


def claim_by_bank(award, payee_name, bank_name, bank_account):
    """The receipt holder claims their own (the primary) share: real-name only, the account
    holder's name must match the reporter's; the details are encrypted and shown only to finance.
    Joint reporters have no receipt: they claim in person (claim_in_person)."""
    _lock(award)
    share = award.primary_share if award is not None else None
    _claimable(award, share)
    report = award.report
    primary = report.primary_reporter
    if report.anonymous or primary is None or not primary.name:
        raise RewardError("reward_claim_in_person")
    if not same_name(payee_name, primary.name):
        raise RewardError("reward_payee_name_mismatch")
    account = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", bank_account or ""))
    if not BANK_ACCOUNT.match(account) or not _text(bank_name):
        raise RewardError("reward_bank_account_invalid")
    share.payee_name, share.bank_name, share.bank_account = payee_name.strip(), bank_name.strip(), account
    share.claimed_at, share.claim_method = utcnow(), ClaimMethod.BANK
    record_event("reward.claimed", award, CITIZEN, {"share": share.id, "method": ClaimMethod.BANK.value})
    return award


def claim_in_person(award, user, share=None, identity_note=None):
    """Finance records that a reporter came to the office within the claim window: the receipt
    holder with the receipt (the primary share, the default), or a joint reporter, who has no
    receipt, after an identity check that finance notes (which document, never its number)."""
    if not can(user, Action.RECORD_PAYOUT, award.report):
        raise RewardError("reward_not_allowed")
    _lock(award)
    share = share or award.primary_share
    _claimable(award, share)
    note = _text(identity_note)
    if share.role != ReporterRole.PRIMARY and note is None:
        raise RewardError("reward_identity_note_required")
    share.claimed_at, share.claim_method = utcnow(), ClaimMethod.IN_PERSON
    share.claim_recorded_by_id, share.identity_note = user.id, note
    data = {"share": share.id, "role": share.role, "method": ClaimMethod.IN_PERSON.value}
    record_event("reward.claimed", award, Actor.for_user(user), data)
    return award


def lapse_unclaimed(actor, today=None):
    """Shares of approved awards not claimed by the end of the window lapse (the hourly sweep);
    an award lapses when none of its shares was claimed (a partly claimed award stays approved:
    its claimed shares are still paid). Each step audited; returns how many shares lapsed."""
    today = today or local_today()
    due = db.session.scalars(
        select(RewardShare)
        .join(RewardAward, RewardAward.id == RewardShare.award_id)
        .where(
            RewardAward.status == AwardStatus.APPROVED,
            RewardShare.claimed_at.is_(None),
            RewardShare.lapsed_at.is_(None),
            RewardAward.claim_due_on < today,
        )
        .order_by(RewardShare.id)
    ).all()
    for share in due:
        award = share.award
        share.lapsed_at = utcnow()
        data = {
            "share": share.id,
            "role": share.role,
            "amount": share.amount,
            "claim_due_on": award.claim_due_on,
        }
        record_event("reward.share_lapsed", award, actor, data)
    for award in {share.award.id: share.award for share in due}.values():
        if all(s.lapsed_at is not None for s in award.shares):
            award.status, award.lapsed_at = AwardStatus.LAPSED, utcnow()
            data = {"claim_due_on": award.claim_due_on, "amount": award.amount}
            record_event("reward.lapsed", award, actor, data)
    return len(due)


def may_see_payee(user):
    """Bank details are for finance only."""
    return user is not None and getattr(user, "role", None) == Role.FINANCE


def _share_balance(share):
    """(paid and not reversed, reversals so far) of one share."""
    payouts = db.session.scalars(select(RewardPayout).where(RewardPayout.share_id == share.id)).all()
    reversed_ids = set(
        db.session.scalars(
            select(RewardReversal.payout_id).where(RewardReversal.payout_id.in_([p.id for p in payouts]))
        )
    )
    paid = sum((p.amount for p in payouts if p.id not in reversed_ids), Decimal("0.00"))
    return paid, len(reversed_ids)


def record_payout(award, share, user, amount, method, reference, paid_on):
    """Finance records a payment of one share: never before approval and claim, never above the
    share, never twice (the award's row lock here; the unique (share, attempt) in the database)."""
    if not can(user, Action.RECORD_PAYOUT, award.report):
        raise RewardError("reward_not_allowed")
    _lock(award, AwardStatus.APPROVED)
    if share.award_id != award.id:
        raise RewardError("reward_not_in_state")
    if share.claimed_at is None:
        raise RewardError("reward_not_claimed")
    method = PayoutMethod(method)
    # A transfer goes only to the account claimed for this very share (never another's).
    if method == PayoutMethod.BANK_TRANSFER and share.claim_method != ClaimMethod.BANK:
        raise RewardError("reward_transfer_needs_bank_claim")
    amount = _money(amount)
    if paid_on is None or paid_on > local_today() or paid_on < award.notified_on:
        raise RewardError("reward_paid_on_invalid")
    if not _text(reference):
        raise RewardError("reward_reference_required")
    paid, reversals = _share_balance(share)
    if paid > 0:
        raise RewardError("reward_already_paid")
    if amount > share.amount:
        raise RewardError("reward_payout_above_share")
    payout = RewardPayout(
        award_id=award.id,
        share_id=share.id,
        share_amount=share.amount,
        attempt=reversals + 1,
        amount=amount,
        method=method.value,
        reference=_text(reference),
        paid_on=paid_on,
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    db.session.add(payout)
    db.session.flush()
    data = {
        "payout": payout.id,
        "share": share.id,
        "amount": amount,
        "method": method.value,
        "paid_on": paid_on,
    }
    record_event("reward.paid", award, Actor.for_user(user), data)
    return payout


def reverse_payout(payout, user, reason):
    """A payout recorded in error (or returned by the bank) is reversed by a linked row, never
    edited or deleted; the share may then be paid again."""
    award = db.session.get(RewardAward, payout.award_id)
    if not can(user, Action.RECORD_PAYOUT, award.report):
        raise RewardError("reward_not_allowed")
    _lock(award)
    if db.session.scalar(select(RewardReversal.id).where(RewardReversal.payout_id == payout.id)) is not None:
        raise RewardError("reward_already_reversed")
    if not _text(reason):
        raise RewardError("reason_required")
    reversal = RewardReversal(
        payout_id=payout.id,
        amount=payout.amount,
        reason=_text(reason),
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    db.session.add(reversal)
    db.session.flush()
    record_event(
        "reward.payout_reversed",
        award,
        Actor.for_user(user),
        {"payout": payout.id, "amount": payout.amount, "reason": reversal.reason},
    )
    return reversal
