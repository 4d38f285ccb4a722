"""What staff and reporters are told when a reward rule refuses, by RewardError code."""

from flask_babel import gettext as _


def reward_error_texts():
    return {
        "policy_invalid": _(
            "Check the terms: rates are fractions between 0 and 1 (e.g. 0.05), amounts are yuan with "
            "at most two decimals, the multiplier is at least 1, the claim window at least one working "
            "day, and the legal source is named."
        ),
        "policy_version_required": _("Give the version a code (at most 40 characters)."),
        "policy_version_taken": _(
            "A version with this code exists. Versions are never changed: use a new code."
        ),
        "policy_not_later": _(
            "A new version must start after the latest one. Policies are never changed in place: "
            "choose a later effective date."
        ),
        "no_reward_policy": _("No reward policy was in force on that day. An administrator must add one."),
        **eligibility_texts(),
    }


def eligibility_texts(first_number=""):
    """Why a tip-off cannot be proposed for a reward; each names the rule (DESIGN.md section 6)."""
    return {
        "reward_not_a_tip": _("Rewards are for tip-offs only, never for complaints."),
        "reward_case_not_decided": _(
            "A reward needs the case closed with a penalty decision (or referral for prosecution). "
            "Record the penalty decision first."
        ),
        "reward_not_major": _(
            "The penalty does not count as a major violation under the reward policy: the "
            "confiscations and fines are below its threshold and the case was not referred for prosecution."
        ),
        "reward_not_requested": _("The reporter did not ask for a reward."),
        "reward_reporter_unreachable": _("The reporter cannot be reached through a receipt."),
        "reward_not_first_reporter": _(
            "Only the first reporter of the same clue is rewarded: that is %(number)s.", number=first_number
        ),
        "reward_exclusions_unanswered": _(
            "Answer every question about the reporter (natural person, staff, legal duty, infringed "
            "party, violator, insider, paid by a business)."
        ),
        "reward_not_natural_person": _("Only a natural person can be rewarded."),
        "reward_excluded_regulator_staff": _("Staff of the regulator cannot be rewarded."),
        "reward_excluded_legal_duty": _(
            "People with a legal duty to supervise or report cannot be rewarded."
        ),
        "reward_excluded_infringed_party": _(
            "The infringed party, its agents and interested parties cannot be rewarded."
        ),
        "reward_excluded_violator": _(
            "The violator itself cannot be rewarded, unless an insider who reported it."
        ),
        "reward_excluded_paid_by_business": _(
            "Someone paid by another business to report cannot be rewarded."
        ),
    }


def reward_error_text(exc):
    """The advice for a RewardError (or ReportError), with the detail it names."""
    from portal.site.messages import report_error_text

    texts = eligibility_texts(getattr(exc, "detail", None) or "")
    return texts[exc.code] if exc.code in texts else report_error_text(exc.code)
