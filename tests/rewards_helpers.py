"""Tip-offs for the reward tests, taken to a penalty decision through the real operations."""

from datetime import date
from decimal import Decimal

from portal.audit.chain import SYSTEM
from portal.extensions import db
from portal.reports.operations import submit_report, transition_report
from portal.reports.receipts import new_submission_token
from portal.rewards.eligibility import Answers
from tests.conftest import make_intake

# A reporter the proposer found eligible: every question answered, nothing excluding.
CLEAR = Answers(
    natural_person=True,
    regulator_staff=False,
    legal_duty=False,
    infringed_party=False,
    violator=False,
    insider=False,
    paid_by_business=False,
)


def filed_tip(**overrides):
    """(report, access key) of a real-name tip-off asking for a reward, just filed."""
    values = {
        "wants_reward": True,
        "anonymous": False,
        "reporter_name": "李四",
        "reporter_phone": "13800001111",
    }
    receipt = submit_report(make_intake(**(values | overrides)), [], new_submission_token())
    db.session.commit()
    return receipt.report, receipt.access_key


def decide(report, fines="120000.00", confiscation="0.00", referred=False, close=False):
    """Verify, open a case and record the penalty decision (and close it, if asked)."""
    transition_report(report, "verifying", SYSTEM)
    transition_report(
        report,
        "case_opened",
        SYSTEM,
        case_number=f"杭市监案〔2026〕{report.id}号",
        opened_on=date(2026, 3, 2),
    )
    transition_report(
        report,
        "penalty_decided",
        SYSTEM,
        decision_number=f"杭市监罚〔2026〕{report.id}号",
        decided_on=date(2026, 5, 6),
        confiscation_yuan=Decimal(confiscation),
        fine_yuan=Decimal(fines),
        referred_for_prosecution=referred,
    )
    if close:
        transition_report(report, "closed", SYSTEM)
    db.session.commit()
    return report


def decided_tip(fines="120000.00", confiscation="0.00", referred=False, close=False, **overrides):
    report, key = filed_tip(**overrides)
    return decide(report, fines, confiscation, referred, close), key
