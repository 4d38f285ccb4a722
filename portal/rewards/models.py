"""Reward policy versions (rates, floors, cap, thresholds, claim window) as rows."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.rewards.calculation import LEVELS, Terms

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
