"""Eligibility for a reward, checked before a proposal: each refusal names its rule."""

import dataclasses
from datetime import date

import pytest

from portal.accounts.models import Role
from portal.reports.clues import link_same_clue
from portal.rewards.eligibility import check_eligible
from portal.rewards.errors import RewardError
from portal.rewards.policies import policy_in_force
from portal.site.reward_messages import reward_error_text
from tests.conftest import make_user
from tests.rewards_helpers import CLEAR, decide, decided_tip, filed_tip

pytestmark = pytest.mark.usefixtures("app")


def policy():
    return policy_in_force(date(2026, 6, 1))


def refusal(report, answers=CLEAR):
    with pytest.raises(RewardError) as refused:
        check_eligible(report, policy(), answers)
    return refused.value


def test_a_decided_major_tip_off_from_a_clear_reporter_is_eligible():
    report, _ = decided_tip(fines="100000.00")  # exactly the major threshold
    assert check_eligible(report, policy(), CLEAR) is None
    closed, _ = decided_tip(fines="60000.00", confiscation="40000.00", close=True)  # together 100,000
    assert check_eligible(closed, policy(), CLEAR) is None


def test_a_complaint_is_never_rewarded():
    report, _ = filed_tip(kind="complaint", wants_reward=False)
    assert refusal(report).code == "reward_not_a_tip"


@pytest.mark.parametrize("steps", [[], ["verifying"], ["verifying", "not_opened"]])
def test_a_tip_off_without_a_penalty_decision_is_refused(steps):
    from portal.audit.chain import SYSTEM
    from portal.reports.operations import transition_report

    report, _ = filed_tip()
    for step in steps:
        transition_report(report, step, SYSTEM, reason="查无实据")
    assert refusal(report).code == "reward_case_not_decided"


def test_a_penalty_below_the_major_threshold_is_refused_unless_referred_for_prosecution():
    small, _ = decided_tip(fines="99999.99")
    assert refusal(small).code == "reward_not_major"
    referred, _ = decided_tip(fines="0.00", referred=True)
    assert check_eligible(referred, policy(), CLEAR) is None


def test_a_reporter_who_did_not_ask_for_a_reward_is_refused():
    report, _ = decided_tip(wants_reward=False)
    assert refusal(report).code == "reward_not_requested"


def test_only_the_first_reporter_of_the_same_clue_is_named_and_rewarded(app):
    first, _ = decided_tip()
    later, _ = filed_tip(description="同一家店后厨卫生很差")
    decide(later)
    link_same_clue(later, first, make_user("clue.staff", Role.STAFF, "market"))
    refused = refusal(later)
    assert refused.code == "reward_not_first_reporter" and refused.detail == first.number
    with app.test_request_context("/admin/?lang=en"):
        assert first.number in str(reward_error_text(refused))
    assert check_eligible(first, policy(), CLEAR) is None


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ({"natural_person": None}, "reward_exclusions_unanswered"),
        ({"paid_by_business": None}, "reward_exclusions_unanswered"),
        ({"natural_person": False}, "reward_not_natural_person"),
        ({"regulator_staff": True}, "reward_excluded_regulator_staff"),
        ({"legal_duty": True}, "reward_excluded_legal_duty"),
        ({"infringed_party": True}, "reward_excluded_infringed_party"),
        ({"violator": True}, "reward_excluded_violator"),
        ({"paid_by_business": True}, "reward_excluded_paid_by_business"),
    ],
)
def test_each_exclusion_answered_by_the_proposer_refuses(answer, code):
    report, _ = decided_tip()
    assert refusal(report, dataclasses.replace(CLEAR, **answer)).code == code


def test_the_violator_s_insider_is_not_excluded():
    report, _ = decided_tip()
    assert check_eligible(report, policy(), dataclasses.replace(CLEAR, violator=True, insider=True)) is None


def test_every_refusal_the_rules_can_raise_has_its_own_advice(app):
    import re
    from pathlib import Path

    from portal.rewards import eligibility
    from portal.site.messages import report_error_text

    codes = set(
        re.findall(r'RewardError\(\s*"(\w+)"', Path(eligibility.__file__).read_text(encoding="utf-8"))
    )
    codes |= {code for _, code in eligibility.EXCLUSIONS}
    with app.test_request_context("/?lang=en"):
        generic = str(report_error_text("no-such-code"))
        texts = {code: str(report_error_text(code)) for code in codes}
    assert len(codes) >= 12 and generic not in texts.values()
