"""Reward policy versions, awards (one per tip-off, shared by joint reporters), finance sign-offs."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.rewards.calculation import LEVELS, Terms
from portal.security import EncryptedText

RATE = Numeric(6, 4)
MONEY = Numeric(14, 2)


class RewardPolicy(db.Model):
    """One version of the reward rules. Never edited: a new version starts on its effective date
    and the one before it ends the day before; each award records the version it used."""

    __tablename__ = "reward_policies"
    __table_args__ = (
        *(
            CheckConstraint(f"level{n}_rate >= 0 AND level{n}_rate <= 1", name=f"level{n}_rate_valid")
            for n in LEVELS
        ),
        *(CheckConstraint(f"level{n}_floor >= 0", name=f"level{n}_floor_not_negative") for n in LEVELS),
        CheckConstraint("case_cap > 0", name="case_cap_positive"),
        CheckConstraint("signoff_threshold > 0", name="signoff_threshold_positive"),
        CheckConstraint("insider_max_multiplier >= 1", name="insider_multiplier_valid"),
        CheckConstraint("major_threshold >= 0", name="major_threshold_not_negative"),
        CheckConstraint("claim_working_days > 0", name="claim_window_positive"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="period_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    effective_to: Mapped[date | None] = mapped_column(Date)  # last day in force; none: still
    level1_rate: Mapped[Decimal] = mapped_column(RATE)
    level1_floor: Mapped[Decimal] = mapped_column(MONEY)
    level2_rate: Mapped[Decimal] = mapped_column(RATE)
    level2_floor: Mapped[Decimal] = mapped_column(MONEY)
    level3_rate: Mapped[Decimal] = mapped_column(RATE)
    level3_floor: Mapped[Decimal] = mapped_column(MONEY)
    case_cap: Mapped[Decimal] = mapped_column(MONEY)  # all awards of one case together
    signoff_threshold: Mapped[Decimal] = mapped_column(MONEY)  # at or above: finance signs off
    insider_max_multiplier: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    major_threshold: Mapped[Decimal] = mapped_column(MONEY)  # confiscations and fines at least
    claim_working_days: Mapped[int] = mapped_column()
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    def rate(self, level):
        return getattr(self, f"level{level}_rate")

    def floor(self, level):
        return getattr(self, f"level{level}_floor")

    def terms(self):
        return Terms(
            rates={n: self.rate(n) for n in LEVELS},
            floors={n: self.floor(n) for n in LEVELS},
            case_cap=self.case_cap,
            signoff_threshold=self.signoff_threshold,
            insider_max_multiplier=self.insider_max_multiplier,
        )


class AwardStatus(enum.StrEnum):
    PROPOSED = "proposed"  # waiting for a lead (and finance, where needed)
    REJECTED = "rejected"
    APPROVED = "approved"  # the reporter is told; the claim window runs
    LAPSED = "lapsed"  # not claimed within the window
    REVERSED = "reversed"  # approved in error: a linked, confirmed RewardAwardReversal says why
    WITHDRAWN = "withdrawn"  # a pending proposal taken back by its proposer or a lead


class ClaimMethod(enum.StrEnum):
    BANK = "bank"  # real-name reporters whose account holder name matches
    IN_PERSON = "in_person"  # at the office with the receipt (anonymous reporters always)


class SignoffKind(enum.StrEnum):
    LARGE_AWARD = "large_award"  # at or above the policy's sign-off threshold
    INSIDER_RAISE = "insider_raise"  # finance consents to raising an insider's award


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


# Columns an award's decision consists of: frozen once it leaves `proposed` (triggers, migrations
# 0016 and 0020, which keep their own copy of this list).
DECISION_COLUMNS = (
    "report_id", "policy_id", "policy_version", "level", "penalty_yuan", "already_awarded",
    "insider_multiplier", "rule_amount", "amount", "amount_reason", "justification", "answers",
    "proposer_id", "proposed_at", "approver_id", "decided_at", "notified_on", "claim_due_on",
    "corrects_award_id",
)  # fmt: skip
# A share's decision: never changed. Its claim columns may be filled once (claim or lapse).
SHARE_COLUMNS = ("id", "award_id", "reporter_id", "role", "amount")
# Statuses in which an award no longer holds the report (a new proposal may be made).
CLOSED = (AwardStatus.REJECTED, AwardStatus.REVERSED, AwardStatus.WITHDRAWN)


class RewardAward(db.Model):
    """One reward decision for one tip-off, shared by its joint reporters."""

    __tablename__ = "reward_awards"
    __table_args__ = (
        CheckConstraint(_in("status", AwardStatus), name="status_valid"),
        CheckConstraint("level IN (1, 2, 3)", name="level_valid"),
        CheckConstraint("amount > 0 AND rule_amount >= 0 AND already_awarded >= 0", name="amounts_valid"),
        CheckConstraint("penalty_yuan >= 0 AND insider_multiplier >= 1", name="inputs_valid"),
        CheckConstraint("amount = rule_amount OR amount_reason IS NOT NULL", name="off_rule_has_reason"),
        CheckConstraint("approver_id IS NULL OR approver_id != proposer_id", name="approver_not_proposer"),
        CheckConstraint(
            "status IN ('proposed', 'withdrawn') OR approver_id IS NOT NULL", name="decided_has_approver"
        ),
        CheckConstraint(
            "status IN ('proposed', 'rejected', 'withdrawn') OR claim_due_on IS NOT NULL",
            name="approved_has_claim_window",
        ),
        CheckConstraint("status != 'lapsed' OR lapsed_at IS NOT NULL", name="lapse_valid"),
        # One live award per report: open_report_id is the report's id unless the award is closed.
        CheckConstraint(
            "(open_report_id IS NULL) = (status IN ('rejected', 'reversed', 'withdrawn'))",
            name="open_report_valid",
        ),
        # Reversed if and only if it points to its reversal row (the composite key below makes it
        # this award's own reversal; the operation sets it only once the reversal is confirmed).
        CheckConstraint("(status = 'reversed') = (reversal_id IS NOT NULL)", name="reversed_has_reversal"),
        CheckConstraint(
            "(status = 'withdrawn') = (withdrawn_by_id IS NOT NULL AND withdrawn_at IS NOT NULL)",
            name="withdrawn_valid",
        ),
        CheckConstraint("corrects_award_id IS NULL OR corrects_award_id != id", name="corrects_other"),
        ForeignKeyConstraint(
            ["reversal_id", "id"],
            ["reward_award_reversals.id", "reward_award_reversals.award_id"],
            name="fk_reward_awards_reversal_of_award",
            use_alter=True,
        ),
    )

    # autoincrement spelled out: the id is also in the composite key to its reversal.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    open_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), unique=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("reward_policies.id"))
    policy_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default=AwardStatus.PROPOSED)
    level: Mapped[int] = mapped_column()
    penalty_yuan: Mapped[Decimal] = mapped_column(MONEY)  # confiscations and fines the rule used
    already_awarded: Mapped[Decimal] = mapped_column(MONEY)  # other awards of the same case
    insider_multiplier: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    rule_amount: Mapped[Decimal] = mapped_column(MONEY)  # what calculation.quote() gave
    amount: Mapped[Decimal] = mapped_column(MONEY)  # what was proposed and approved
    amount_reason: Mapped[str | None] = mapped_column(Text)  # why it differs from the rule
    justification: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict] = mapped_column(JSON)  # the proposer's eligibility answers
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # approved or rejected it
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    notified_on: Mapped[date | None] = mapped_column(Date)  # the status page showed it (Beijing date)
    claim_due_on: Mapped[date | None] = mapped_column(Date)  # last day to claim
    lapsed_at: Mapped[datetime | None] = mapped_column(DateTime)  # every share lapsed
    # A corrected award names the reversed award it replaces (set at proposal, frozen after).
    corrects_award_id: Mapped[int | None] = mapped_column(ForeignKey("reward_awards.id"), index=True)
    reversal_id: Mapped[int | None] = mapped_column()  # the confirmed RewardAwardReversal
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)

    report: Mapped["Report"] = relationship(foreign_keys=[report_id])  # noqa: F821
    policy: Mapped[RewardPolicy] = relationship()
    proposer: Mapped["User"] = relationship(foreign_keys=[proposer_id])  # noqa: F821
    approver: Mapped["User | None"] = relationship(foreign_keys=[approver_id])  # noqa: F821
    shares: Mapped[list["RewardShare"]] = relationship(back_populates="award", order_by="RewardShare.id")
    signoffs: Mapped[list["RewardSignoff"]] = relationship(order_by="RewardSignoff.id")
    payouts: Mapped[list["RewardPayout"]] = relationship(order_by="RewardPayout.id")
    reversal: Mapped["RewardAwardReversal | None"] = relationship(
        primaryjoin="RewardAward.id == foreign(RewardAwardReversal.award_id)", viewonly=True, uselist=False
    )  # the correction, requested or confirmed
    withdrawn_by: Mapped["User | None"] = relationship(foreign_keys=[withdrawn_by_id])  # noqa: F821

    @property
    def primary_share(self):
        """The share the receipt holder claims (the first: approval orders the primary first)."""
        return self.shares[0] if self.shares else None

    @property
    def claimed(self):
        """Some share has been claimed (finance may pay that share)."""
        return any(s.claimed_at for s in self.shares)

    def signed(self, kind):
        return any(s.kind == kind for s in self.signoffs)

    @property
    def needs_signoff(self):
        return self.amount >= self.policy.signoff_threshold

    @property
    def needs_consent(self):
        return self.insider_multiplier != 1


class RewardSignoff(db.Model):
    """Finance's recorded sign-off of a large award, or consent to an insider raise."""

    __tablename__ = "reward_signoffs"
    __table_args__ = (
        CheckConstraint(_in("kind", SignoffKind), name="kind_valid"),
        UniqueConstraint("award_id", "kind", name="uq_reward_signoffs_award_id_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("reward_awards.id"))
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    user: Mapped["User"] = relationship()  # noqa: F821


class RewardShare(db.Model):
    """One reporter's part of an award; the shares of an award sum exactly to it. Made at
    approval; its decision (SHARE_COLUMNS) never changes, its claim is filled once: the primary
    reporter claims through the receipt, a joint reporter in person (finance checks an identity
    document), or the share lapses. No reporter row: an anonymous reporter known by the receipt."""

    __tablename__ = "reward_shares"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint(_in("claim_method", ClaimMethod), name="claim_method_valid"),
        CheckConstraint("(claimed_at IS NULL) = (claim_method IS NULL)", name="claim_has_method"),
        CheckConstraint("claimed_at IS NULL OR lapsed_at IS NULL", name="claimed_or_lapsed"),
        CheckConstraint(
            "claim_method IS NULL OR claim_method != 'bank' "
            "OR (bank_account IS NOT NULL AND payee_name IS NOT NULL)",
            name="bank_claim_has_account",
        ),
        UniqueConstraint("award_id", "reporter_id", name="uq_reward_shares_award_id_reporter_id"),
        # Payouts name (share, amount) so the database itself keeps a payout within its share.
        UniqueConstraint("id", "amount", name="uq_reward_shares_id_amount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("reward_awards.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("reporters.id"))
    role: Mapped[str] = mapped_column(String(10))  # primary or joint (report_reporters.role)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    claim_method: Mapped[str | None] = mapped_column(String(10))
    # Finance, for a claim in person (none on claims moved from the award by migration 0020).
    claim_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    identity_note: Mapped[str | None] = mapped_column(Text)  # the document finance checked
    # Payout details: encrypted at rest, shown only to finance, never in audit events.
    payee_name: Mapped[str | None] = mapped_column(EncryptedText)
    bank_name: Mapped[str | None] = mapped_column(EncryptedText)
    bank_account: Mapped[str | None] = mapped_column(EncryptedText)
    lapsed_at: Mapped[datetime | None] = mapped_column(DateTime)  # not claimed in the window
    award: Mapped[RewardAward] = relationship(back_populates="shares")
    reporter: Mapped["Reporter | None"] = relationship()  # noqa: F821


class PayoutMethod(enum.StrEnum):
    BANK_TRANSFER = "bank_transfer"  # to the account the reporter claimed with
    CASH = "cash"  # handed over at the office (a claim in person)


class RewardPayout(db.Model):
    """Finance's record of one payment of one share. Append-only (triggers, migration 0016): a
    correction is a RewardReversal. (share_id, attempt) is unique, so the same payment cannot be
    recorded twice even by two finance sessions at once; share_amount is the share's own amount
    (composite foreign key), so the database refuses a payout above it."""

    __tablename__ = "reward_payouts"
    __table_args__ = (
        CheckConstraint(_in("method", PayoutMethod), name="method_valid"),
        CheckConstraint("amount > 0 AND amount <= share_amount", name="amount_within_share"),
        CheckConstraint("attempt >= 1", name="attempt_valid"),
        UniqueConstraint("share_id", "attempt", name="uq_reward_payouts_share_id_attempt"),
        ForeignKeyConstraint(
            ["share_id", "share_amount"],
            ["reward_shares.id", "reward_shares.amount"],
            name="fk_reward_payouts_share_amount",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("reward_awards.id"), index=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("reward_shares.id"))
    share_amount: Mapped[Decimal] = mapped_column(MONEY)
    attempt: Mapped[int] = mapped_column()  # 1, then 1 + the reversals of this share before it
    amount: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(100))  # the bank's or the cash book's reference
    paid_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    reversal: Mapped["RewardReversal | None"] = relationship(back_populates="payout")


class RewardReversal(db.Model):
    """A correction of a payout recorded in error (or returned by the bank), linked to it."""

    __tablename__ = "reward_reversals"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    payout_id: Mapped[int] = mapped_column(ForeignKey("reward_payouts.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    payout: Mapped[RewardPayout] = relationship(back_populates="reversal")


class RewardAwardReversal(db.Model):
    """The correction of an approved (or lapsed) award: requested with a reason by staff or a
    lead of the department, confirmed by another lead; only then is the award reversed (it then
    points here) and the report free for a corrected proposal. At most one per award. Never
    deleted; only the confirmation is filled in (triggers, migration 0020)."""

    __tablename__ = "reward_award_reversals"
    __table_args__ = (
        CheckConstraint("confirmed_by_id IS NULL OR confirmed_by_id != requested_by_id", name="two_people"),
        CheckConstraint("(confirmed_by_id IS NULL) = (confirmed_at IS NULL)", name="confirmation_valid"),
        UniqueConstraint("id", "award_id", name="uq_reward_award_reversals_id_award_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("reward_awards.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    requested_by: Mapped["User"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821
    confirmed_by: Mapped["User | None"] = relationship(foreign_keys=[confirmed_by_id])  # noqa: F821
