"""The auditors' automatic flags on reward decisions, all in one place.

Each flag is computed from what is recorded: the rule's amount is re-run with the pure
calculation from the award's recorded inputs and its recorded policy version, payouts are
compared with the approval, and payees are compared across cases and with the staff. No Flask
here; the back office and the exports call `flag_awards()`.
"""

import enum
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.clock import to_local
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.reporters import Reporter, ReportReporter
from portal.rewards.calculation import quote
from portal.rewards.models import (
    AwardStatus,
    ClaimMethod,
    RewardAward,
    RewardPayout,
    RewardPolicy,
    RewardShare,
)
from portal.rewards.operations import same_name


class Flag(enum.StrEnum):
    SELF_APPROVED = "self_approved"  # proposer = approver (the database refuses it; checked anyway)
    OFF_RULE_NO_REASON = "off_rule_no_reason"  # amount differs from the re-run rule, no reason
    PAID_BEFORE_APPROVAL = "paid_before_approval"
    PAID_ABOVE_APPROVAL = "paid_above_approval"
    SHARED_PAYEE = "shared_payee"  # one bank account or phone across several cases
    PAYEE_IS_STAFF = "payee_is_staff"  # the payee has a staff member's name (or e-mail)


@dataclass(frozen=True)
class Finding:
    flag: Flag
    detail: str = ""  # values only (amounts, dates, report numbers): never a name or an account


def rule_amount(award, policy=None):
    """The rule's amount re-run from the recorded inputs under the recorded policy version
    (None if the recorded inputs no longer make a valid quote)."""
    policy = policy or db.session.scalar(
        select(RewardPolicy).where(RewardPolicy.version == award.policy_version)
    )
    if policy is None:
        return None
    try:
        return quote(
            policy.terms(), award.level, award.penalty_yuan, award.already_awarded, award.insider_multiplier
        ).amount
    except ValueError:
        return None


def _digits(value):
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", value or ""))


def _reporters(award):
    return [link.reporter for link in award.report.reporter_links if link.reporter is not None]


def _bank_claimed(share):
    return share.claim_method == ClaimMethod.BANK


def payee_names(award):
    """Who would be paid, share by share: the account holder named in the share's bank claim,
    else the share's reporter (every reporter if the award has no shares yet)."""
    if not award.shares:
        return [r.name for r in _reporters(award) if r.name]
    names = [
        s.payee_name if _bank_claimed(s) else (s.reporter.name if s.reporter else None) for s in award.shares
    ]
    return [n for n in names if n]


def bank_accounts(award):
    """The accounts claimed for the award's shares (decrypted: only shares claimed by bank)."""
    return [s.bank_account for s in award.shares if _bank_claimed(s) and s.bank_account]


def _payee_keys(award):
    """('account' | 'phone', digits) of the award's payees."""
    keys = {("account", _digits(account)) for account in bank_accounts(award)}
    for reporter in _reporters(award):
        phone = _digits(reporter.phone)
        if len(phone) >= 7:
            keys.add(("phone", phone))
    return keys


def with_payees():
    """Loader options: an award's shares, payouts and reporters in a few queries, not a few per
    award (the view reads them for every award on record)."""
    return (
        selectinload(RewardAward.shares),  # share.reporter: from the identity map, no query
        selectinload(RewardAward.payouts).selectinload(RewardPayout.reversal),
        selectinload(RewardAward.report)
        .selectinload(Report.reporter_links)
        .selectinload(ReportReporter.reporter),
    )


def _case_key(award):
    return award.report.case_number or award.report.number


def _self_approved(award, _context):
    if award.approver_id is not None and award.approver_id == award.proposer_id:
        yield Finding(Flag.SELF_APPROVED)


def _off_rule(award, context):
    rule = context.rules.get(award.id)
    off = rule is None or award.amount != rule
    if off and not (award.amount_reason or "").strip():
        yield Finding(Flag.OFF_RULE_NO_REASON, f"{award.amount} ≠ {rule if rule is not None else '?'}")


def _live_payouts(award):
    return [p for p in award.payouts if p.reversal is None]


def _paid_before_approval(award, _context):
    if not award.payouts:
        return
    if award.decided_at is None or award.status in (AwardStatus.PROPOSED, AwardStatus.REJECTED):
        yield Finding(Flag.PAID_BEFORE_APPROVAL, award.status)
        return
    approved_on = to_local(award.decided_at).date()
    for payout in award.payouts:
        if payout.paid_on < approved_on or payout.recorded_at < award.decided_at:
            yield Finding(Flag.PAID_BEFORE_APPROVAL, f"{payout.paid_on} < {approved_on}")
            return


def _paid_above_approval(award, _context):
    paid = sum((p.amount for p in _live_payouts(award)), Decimal("0.00"))
    by_share = defaultdict(Decimal)
    for payout in _live_payouts(award):
        by_share[payout.share_id] += payout.amount
    shares = {s.id: s.amount for s in award.shares}
    over_share = any(amount > shares.get(share_id, Decimal(0)) for share_id, amount in by_share.items())
    if paid > award.amount or over_share:
        yield Finding(Flag.PAID_ABOVE_APPROVAL, f"{paid} > {award.amount}")


def _shared_payee(award, context):
    others = set()
    for key in _payee_keys(award):
        others |= {number for case, number in context.payees[key] if case != _case_key(award)}
    if others:
        shown = sorted(n for n in others if n in context.visible)
        hidden = len(others) - len(shown)
        yield Finding(Flag.SHARED_PAYEE, ", ".join(shown + ([f"+{hidden}"] if hidden else [])))


def _payee_is_staff(award, context):
    emails = {(r.email or "").strip().casefold() for r in _reporters(award)} - {""}
    for user in context.staff:
        names = {user.display_name, user.display_name.split()[-1] if user.display_name.split() else ""}
        by_name = any(same_name(payee, name) for payee in payee_names(award) for name in names if name)
        by_email = bool(user.email) and user.email.strip().casefold() in emails
        if by_name or by_email:
            yield Finding(Flag.PAYEE_IS_STAFF, user.username)
            return


CHECKS = (
    _self_approved,
    _off_rule,
    _paid_before_approval,
    _paid_above_approval,
    _shared_payee,
    _payee_is_staff,
)


@dataclass
class _Context:
    rules: dict  # award id -> re-run rule amount
    payees: dict  # (kind, digits) -> {(case key, report number)} over every award
    staff: list
    visible: set  # report numbers the reader may see (others are only counted)


def _payee_index():
    """(kind, digits) -> {(case key, report number)} over every award that reached a decision (a
    rejected or withdrawn proposal pays no one). Read as columns: only the bank accounts of bank
    claims and the reporters' phones are decrypted, not every payee and identity field."""
    decided = RewardAward.status.not_in((AwardStatus.REJECTED, AwardStatus.WITHDRAWN))
    accounts = (
        select(RewardShare.bank_account, Report.case_number, Report.number)
        .join(RewardAward, RewardAward.id == RewardShare.award_id)
        .join(Report, Report.id == RewardAward.report_id)
        .where(decided, RewardShare.claim_method == ClaimMethod.BANK, RewardShare.bank_account.is_not(None))
    )
    phones = (
        select(Reporter.phone, Report.case_number, Report.number)
        .join(ReportReporter, ReportReporter.reporter_id == Reporter.id)
        .join(Report, Report.id == ReportReporter.report_id)
        .where(Report.id.in_(select(RewardAward.report_id).where(decided)), Reporter.phone.is_not(None))
    )
    payees = defaultdict(set)
    for kind, query in (("account", accounts), ("phone", phones)):
        for value, case_number, number in db.session.execute(query):
            digits = _digits(value)
            if kind == "account" or len(digits) >= 7:  # as _payee_keys
                payees[(kind, digits)].add((case_number or number, number))
    return payees


def _context(awards, visible_numbers):
    policies = {p.version: p for p in db.session.scalars(select(RewardPolicy))}
    return _Context(
        rules={a.id: rule_amount(a, policies.get(a.policy_version)) for a in awards},
        payees=_payee_index(),
        staff=db.session.scalars(select(User).order_by(User.id)).all(),
        visible=set(visible_numbers),
    )


def flag_awards(awards, visible_numbers=None):
    """({award id: [Finding]}, {award id: re-run rule amount}) for these awards; payees are
    compared with every award on record, and `visible_numbers` limits which other reports a
    shared-payee finding names (the rest are only counted)."""
    if visible_numbers is None:
        visible_numbers = [a.report.number for a in awards]
    context = _context(awards, visible_numbers)
    findings = {award.id: [f for check in CHECKS for f in check(award, context)] for award in awards}
    return findings, context.rules
