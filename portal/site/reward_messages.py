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
    }
