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
        **workflow_texts(),
    }


def workflow_texts():
    """Refusals of the proposal, decision, claim and payout steps."""
    return {
        "reward_not_allowed": _("You may not do this for this reward."),
        "reward_exists": _("This tip-off already has a reward proposed or decided."),
        "reward_terms_invalid": _("Choose level 1, 2 or 3, and an insider raise within the policy's limit."),
        "reward_raise_only_for_insiders": _("Only an insider's award may be raised."),
        "reward_justification_required": _("Explain why the tip-off deserves this level."),
        "reward_amount_invalid": _("Enter the amount in yuan, more than 0, with at most two decimals."),
        "reward_amount_reason_required": _(
            "The amount differs from what the rules give: write the reason for the difference."
        ),
        "reward_above_cap": _(
            "This is more than the case cap leaves after the other awards of the same case."
        ),
        "reward_changed": _("Someone else changed this reward meanwhile. Reload the page."),
        "reward_not_in_state": _("This reward is no longer waiting for that step. Reload the page."),
        "reward_signoff_not_needed": _("This award does not need that sign-off."),
        "reward_already_signed": _("Finance has already signed this off."),
        "own_reward_proposal": _("You proposed this reward: another lead of the department must decide it."),
        "reward_needs_signoff": _(
            "An award of 500,000 yuan or more needs finance's sign-off before it can be approved."
        ),
        "reward_needs_consent": _(
            "An insider's raised award needs finance's consent before it can be approved."
        ),
        "reward_not_claimable": _("There is no approved reward to claim."),
        "reward_already_claimed": _("The reward has already been claimed."),
        "reward_claim_window_over": _("The time to claim this reward has passed."),
        "reward_claim_in_person": _(
            "Anonymous reporters claim in person: bring your receipt (report number and access key) "
            "to the bureau within the claim period."
        ),
        "reward_payee_name_mismatch": _(
            "The account holder's name must be the name you reported under. Use an account in your "
            "own name, or claim in person."
        ),
        "reward_bank_account_invalid": _("Enter the bank's name and the account number (8 to 30 digits)."),
        "reward_not_claimed": _(
            "The reward has not been claimed: the reporter claims through the receipt, "
            "or record the claim in person."
        ),
        "reward_transfer_needs_bank_claim": _(
            "Only a reward claimed with a bank account can be paid by transfer."
        ),
        "reward_paid_on_invalid": _("Enter the payment date: not before the approval and not in the future."),
        "reward_reference_required": _("Enter the payment's reference (bank or cash book)."),
        "reward_already_paid": _(
            "This share has already been paid. Reverse that payout first if it was wrong."
        ),
        "reward_payout_above_share": _("A payout can never be more than the approved share."),
        "reward_already_reversed": _("This payout has already been reversed."),
        "reward_identity_note_required": _(
            "A joint reporter has no receipt: check an identity document and note which one."
        ),
        "reward_payouts_standing": _(
            "Money of this award has been paid out. Finance must first reverse each payout (the money "
            "recovered); then the award can be corrected."
        ),
        "reward_correction_exists": _("A correction of this award has already been requested."),
        "own_reward_correction": _(
            "You requested this correction: another lead of the department must confirm it."
        ),
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
