"""Whether a tip-off may be proposed for a reward, checked before any proposal: each refusal is a
RewardError whose code names the rule that failed (DESIGN.md section 6)."""

from dataclasses import dataclass, fields

from portal.reports.clues import clue_members
from portal.reports.states import Kind, State
from portal.rewards.errors import RewardError

DECIDED = (State.PENALTY_DECIDED, State.CLOSED)


@dataclass(frozen=True)
class Answers:
    """What the proposer states about the reporter; None means not answered, which refuses.
    The violator itself is excluded unless an insider (内部知情人) of it."""

    natural_person: bool | None = None
    regulator_staff: bool | None = None
    legal_duty: bool | None = None  # a legal duty to supervise or to report
    infringed_party: bool | None = None  # the infringed party, its agents or interested parties
    violator: bool | None = None
    insider: bool | None = None
    paid_by_business: bool | None = None  # paid by another business to report

    def as_data(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}


# Exclusion answer → the refusal it gives when true.
EXCLUSIONS = (
    ("regulator_staff", "reward_excluded_regulator_staff"),
    ("legal_duty", "reward_excluded_legal_duty"),
    ("infringed_party", "reward_excluded_infringed_party"),
    ("paid_by_business", "reward_excluded_paid_by_business"),
)


def penalty_total(report):
    """Confiscations and fines of the penalty decision (罚没款), yuan."""
    return (report.confiscation_yuan or 0) + (report.fine_yuan or 0)


def is_major(report, policy):
    """Major under the policy: referred for prosecution, or confiscations and fines at least the
    province's threshold."""
    return bool(report.referred_for_prosecution) or penalty_total(report) >= policy.major_threshold


def check_case(report, policy):
    """The report's own conditions: a tip-off, decided with a major penalty, reward asked for,
    reachable through its receipt, and the first report of its clue."""
    if report.kind != Kind.TIP:
        raise RewardError("reward_not_a_tip")
    if report.state not in DECIDED or report.decision_number is None:
        raise RewardError("reward_case_not_decided")
    if policy is None:
        raise RewardError("no_reward_policy")
    if not is_major(report, policy):
        raise RewardError("reward_not_major", f"{penalty_total(report)} < {policy.major_threshold}")
    if not report.wants_reward:
        raise RewardError("reward_not_requested")
    if not report.access_key_hash:
        raise RewardError("reward_reporter_unreachable")
    first = clue_members(report)[0]
    if first.id != report.id:
        raise RewardError("reward_not_first_reporter", f"first: {first.number}", detail=first.number)


def check_answers(answers):
    """The proposer's explicit answers: every one given, none excluding the reporter."""
    if any(value is None for value in answers.as_data().values()):
        raise RewardError("reward_exclusions_unanswered")
    if not answers.natural_person:
        raise RewardError("reward_not_natural_person")
    for name, code in EXCLUSIONS:
        if getattr(answers, name):
            raise RewardError(code)
    if answers.violator and not answers.insider:
        raise RewardError("reward_excluded_violator")


def check_eligible(report, policy, answers):
    """Raise the first rule that refuses; None when the tip-off may be proposed."""
    check_case(report, policy)
    check_answers(answers)


def eligibility_problem(report, policy, answers=None):
    """The refusal's RewardError (or None) without raising, for pages that show it up front."""
    try:
        check_case(report, policy)
        if answers is not None:
            check_answers(answers)
    except RewardError as exc:
        return exc
    return None
