"""What a citizen is told when a domain rule refuses their submission, by ReportError code."""

from flask_babel import gettext as _

from portal.evidence.storage import max_files_per_submission
from portal.site.reward_messages import reward_error_texts


def report_error_text(code):
    texts = {
        "form_already_used": _(
            "This form was already sent. Check the details and send again to file a new report."
        ),
        "form_not_issued": _(
            "This form was not opened in this browser session (or it expired). Everything you "
            "entered has been kept: check it and send again."
        ),
        "evidence_not_stored": _(
            "Your files could not be saved just now, so the report was not sent. Everything you "
            "entered has been kept: send it again in a few minutes."
        ),
        "report_closed": _("This report is closed; information can no longer be added."),
        "nothing_to_add": _("Write something or attach a file before sending."),
        "messaging_closed": _(
            "This report is closed, so the conversation has ended and answers can no longer be sent. "
            "For anything new, call the hotline or file a new report."
        ),
        "message_too_long": _("An answer can hold at most 5000 characters: shorten it."),
        "too_many_files": _("Too many files: at most %(n)d per report.", n=max_files_per_submission()),
        "reward_only_for_tips": _("Rewards are only for tip-offs. Untick the box or choose tip-off."),
        "real_name_needs_name": _("Enter your name, or choose to report anonymously."),
        "invalid_decline_ground": _(
            "This is not one of the legal grounds for declining. Choose a ground from the list."
        ),
        "complaint_not_anonymous": _(
            "A complaint cannot be anonymous: the department must be able to reach you to mediate. "
            "Give your name, phone and address, or file it as a tip-off instead."
        ),
        "complaint_needs_identity": _("A complaint needs your real name, phone number and postal address."),
        "complaint_needs_business_address": _("A complaint needs the address of the business."),
        "complaint_needs_demand": _(
            "Choose what you ask for: refund, replacement, repair, compensation or other."
        ),
        "demand_needs_amount": _("Enter the amount involved in yuan for a refund or compensation."),
        "invalid_amount": _("Enter the amount in yuan, more than 0, with at most 2 decimals."),
        "online_order_needs_details": _("For an online order, enter the platform and the order number."),
        "also_tip_only_for_complaints": _(
            "Only a complaint can also report a violation. Untick the box or choose complaint."
        ),
        "demand_only_for_complaints": _("A demand is only for complaints. Clear it or choose complaint."),
        "invalid_licence": _(
            "This 18-character credit code has a wrong check character. Check it, or leave the field empty."
        ),
        "link_needs_complaint_and_tip": _("Only a complaint and a tip-off can be linked."),
        "already_linked": _("This report is already linked to another one."),
        "reason_required": _("Give a reason."),
        "description_required": _("Describe the violation the tip-off is about."),
        "reroute_required": _(
            "A returned report goes to a department only by re-routing: choose the department."
        ),
        **decision_error_texts(),
        **deadline_error_texts(),
        **administration_error_texts(),
        **reward_error_texts(),
    }
    return texts.get(code, _("The report could not be saved. Check your answers and try again."))


def decision_error_texts():
    """What staff are told when a change of state lacks what the law makes it record."""
    return {
        "invalid_transition": _("This step is not possible from the report's current state."),
        "state_changed": _(
            "Someone else changed this report's state meanwhile. Reload the report and decide again."
        ),
        "not_returned": _("Only a returned report can be re-routed."),
        "reason_required": _("Enter the reason; the reporter is told it."),
        "ground_required": _("Choose the legal ground from the list."),
        "invalid_mediation_end_ground": _(
            "This is not one of the legal grounds for ending a mediation. Choose a ground from the list."
        ),
        "terms_required": _("Enter the terms of the agreement (at most 4000 characters)."),
        "case_number_required": _("Enter the case number (at most 60 characters)."),
        "case_date_required": _("Enter the date the case was opened; it cannot be in the future."),
        "decision_number_required": _("Enter the penalty decision's number (at most 60 characters)."),
        "decision_date_required": _("Enter the date of the penalty decision; it cannot be in the future."),
        "invalid_amount": _(
            "Enter the amount in yuan, not negative, with at most two decimals (e.g. 5000.00)."
        ),
        "prosecution_flag_required": _("Say whether the case was referred for prosecution."),
        "unexpected_detail": _("This step records no such detail."),
        "proposal_pending": _(
            "A proposal for this report is already waiting for a lead. Wait for the decision on it."
        ),
        "proposal_decided": _("This proposal has already been decided. Reload the report."),
        "own_proposal": _("You cannot decide your own proposal: another lead of the department must."),
        "proposal_stale": _(
            "The report has moved on since this was proposed, so the proposal was refused. "
            "Propose again if needed."
        ),
        "invalid_department": _("Choose a department from the list."),
        "reroute_reason_required": _(
            "You chose another department than the routing rules suggest: enter the reason."
        ),
        "clue_not_allowed": _("You cannot link these two reports."),
        "already_same_clue": _("These reports are already marked as the same clue."),
    }


def deadline_error_texts():
    """The calendar's and the deadline policies' refusals (back office)."""
    return {
        "override_exists": _("This day already has an override. Remove it first to change it."),
        "override_missing": _("This day has no override to remove."),
        "unknown_policy": _("There is no deadline policy with this code."),
        "policy_not_later": _(
            "A new version must start after the latest one. Policies are never changed in place: "
            "choose a later effective date."
        ),
        "policy_incomplete": _("Give either working days or calendar days (not both), and the legal source."),
        "extension_not_allowed": _(
            "This deadline cannot be extended: it was extended already or its policy allows no extension."
        ),
        "deadline_not_running": _("This deadline is no longer running."),
        "extension_not_yours": _("Only staff of the report's department may ask for an extension."),
        "extension_reason_required": _("Give the reason for the extension; the lead reads it."),
        "extension_pending": _(
            "An extension of this deadline is already waiting for a lead. Wait for the decision on it."
        ),
        "extension_decided": _("This request has already been decided. Reload the report."),
        "extension_lead_only": _("Only a lead of the report's department decides extensions."),
        "own_extension": _("You cannot decide your own request: another lead of the department must."),
        "refusal_reason_required": _("Give the reason for refusing; the requester reads it."),
    }


def administration_error_texts():
    """What administrators are told when a change to reference data or an account is refused."""
    return {
        "intake_office_stays_active": _(
            "The intake office cannot be deactivated: it receives every report no rule matches."
        ),
        "invalid_category_group": _("Choose food, drugs or quality as the group."),
        "routing_rule_exists": _(
            "An active rule already covers this category and region. Change that rule instead."
        ),
        "department_inactive": _("Choose an active department."),
        "invalid_rule_code": _("Use lower-case letters, digits, dots and hyphens for the code (at most 60)."),
        "rule_code_taken": _("An active rule already has this code. Choose another code."),
        "rule_retired": _("This rule is retired and can no longer change. Edit the active version."),
        "password_too_short": _("The password is too short: use at least 12 characters."),
        "department_required": _("Staff and lead accounts need a department."),
        "department_not_allowed": _(
            "Only staff and lead accounts belong to a department: choose no department."
        ),
        "username_taken": _("That username is already in use. Choose another."),
        "username_invalid": _("A username is one word without spaces or control characters."),
        "email_invalid": _("That is not an email address. Check it, or leave it empty for no digests."),
        "cannot_deactivate_self": _("You cannot deactivate your own account. Ask another administrator."),
    }
