"""Who may open which back-office URL, in one table, checked before every admin view.

RULES names what each endpoint requires: PUBLIC, SIGNED_IN, a set of roles, or an Action (then
the report named in the URL is loaded through scoped_reports() and can(): another department's
report, or one this user may not act on, answers 404). An endpoint missing from RULES answers 404
to everyone, so a new route without a rule fails closed (and fails tests/test_backoffice_matrix.py).
"""

from flask import abort, current_app, g, request
from flask_login import current_user

from portal.accounts.models import Role
from portal.accounts.permissions import Action, can, scoped_reports
from portal.extensions import db
from portal.reports.models import Report

PUBLIC = "public"
SIGNED_IN = "signed_in"
CASE_READERS = frozenset({Role.STAFF, Role.LEAD, Role.AUDITOR})
ADMINS = frozenset({Role.ADMIN})
LEADS = frozenset({Role.LEAD})
REWARD_REVIEWERS = frozenset({Role.AUDITOR, Role.LEAD, Role.FINANCE})

RULES = {
    "admin.login": PUBLIC,
    "admin.logout": SIGNED_IN,
    "admin.dashboard": SIGNED_IN,
    "admin.queue": CASE_READERS,
    "admin.queue_assign": frozenset({Role.LEAD}),  # and can(ASSIGN) on every report chosen
    "admin.case": Action.VIEW,
    "admin.case_reveal": Action.VIEW_IDENTITY,
    "admin.case_evidence": Action.DOWNLOAD_EVIDENCE,
    "admin.case_note": Action.ADD_NOTE,
    "admin.case_assign": Action.ASSIGN,
    "admin.case_reissue_key": Action.REISSUE_KEY,  # the view refuses anonymous reports (reason)
    "admin.case_message": Action.MESSAGE,  # write to the reporter (refused once the report is closed)
    # The action panel: the guard needs the report visible; the view checks the move itself
    # (MOVE or PROPOSE for the target) and answers a refusal page with the reason.
    "admin.report_actions": Action.VIEW,
    "admin.move_report": Action.VIEW,
    "admin.same_clue": Action.VIEW,  # and the other report visible, and may_link()
    "admin.proposals": CASE_READERS,
    "admin.approve": frozenset({Role.LEAD}),  # and lead of the proposal's department
    "admin.refuse": frozenset({Role.LEAD}),
    # Deadline extensions: staff of the department ask; a lead of the report's department (not
    # the requester) decides, checked by the view and the domain (other leads get 404).
    "admin.ask_extension": Action.ADD_NOTE,
    "admin.approve_extension": frozenset({Role.LEAD}),
    "admin.refuse_extension": frozenset({Role.LEAD}),
    # Two-step sign-in and the user's own account.
    "admin.second_factor": SIGNED_IN,
    "admin.enrol_totp": SIGNED_IN,
    "admin.account": SIGNED_IN,
    # Calendar and deadline policies: administrators only.
    "admin.calendar_days": ADMINS,
    "admin.add_calendar_day": ADMINS,
    "admin.remove_calendar_day": ADMINS,
    "admin.deadline_policies": ADMINS,
    "admin.add_deadline_policy": ADMINS,
    # Reference data, routing rules and staff accounts: administrators only (no case content).
    "admin.administration": ADMINS,
    "admin.reference_list": ADMINS,
    "admin.reference_item": ADMINS,
    "admin.edit_reference_item": ADMINS,
    "admin.routing_rules": ADMINS,
    "admin.add_routing_rule": ADMINS,
    "admin.routing_rule": ADMINS,
    "admin.replace_routing_rule": ADMINS,
    "admin.retire_routing_rule": ADMINS,
    "admin.users": ADMINS,
    "admin.create_staff_user": ADMINS,
    "admin.deactivate_staff_user": ADMINS,
    "admin.reset_user_password": ADMINS,
    "admin.reset_user_totp": ADMINS,
    "admin.set_user_email": ADMINS,
    # Notifications that could not be delivered: administrators only (no recipient, no text).
    "admin.outbox_dead_letters": ADMINS,
    "admin.outbox_requeue": ADMINS,
    # Reward policy versions: administrators only.
    "admin.reward_policies": ADMINS,
    "admin.add_reward_policy_version": ADMINS,
    # Rewards: the list shows awards of the reports the user may see (finance: those with an
    # award); a tip-off's reward page and its steps are guarded by an action on the report.
    "admin.rewards": frozenset({Role.STAFF, Role.LEAD, Role.FINANCE, Role.AUDITOR}),
    "admin.reward": Action.VIEW_REWARD,
    "admin.propose_reward": Action.PROPOSE_REWARD,
    "admin.decide_reward": Action.DECIDE_REWARD,
    "admin.sign_off_reward": Action.SIGN_OFF_REWARD,
    "admin.claim_reward_in_person": Action.RECORD_PAYOUT,
    "admin.record_reward_payout": Action.RECORD_PAYOUT,
    "admin.reverse_reward_payout": Action.RECORD_PAYOUT,
    # Withdrawing a proposal and asking for a correction: the proposer or a lead (the view and
    # portal/rewards/corrections.py check which); confirming a correction: another lead.
    "admin.withdraw_reward": Action.VIEW_REWARD,
    "admin.request_reward_correction": Action.VIEW_REWARD,
    "admin.confirm_reward_correction": Action.DECIDE_REWARD,
    # Satisfaction reviews: leads list their department's open reviews; closing one is guarded
    # by the action on the report (a lead of the report's department).
    "admin.reviews": frozenset({Role.LEAD}),
    "admin.close_case_review": Action.REVIEW_SATISFACTION,
    # Public notices and the red list (issue 12): leads. A notice or entry of another department
    # answers 404 unless the lead is of the supervising office (the view checks; the domain
    # refuses the drafter as reviewer).
    # The dashboard: leads (the supervising office's see every department, others their own).
    "admin.oversight": LEADS,
    "admin.notices": LEADS,
    "admin.draft_notice_page": Action.DRAFT_NOTICE,
    "admin.publish_notice_page": LEADS,
    "admin.withdraw_notice_page": LEADS,
    "admin.red_list": LEADS,
    "admin.publish_red_list_page": LEADS,
    "admin.withdraw_red_list_page": LEADS,
    # Supervising the departments (issue 12 item 6): the supervision page, listing a report by
    # number, the steps with a department and the assessment export are the supervising office's
    # (leads of the intake office; other leads get 404 from the view). Progress on a supervised
    # case: the handling department's staff and leads (ADD_NOTE on the report; others get 404).
    "admin.supervision": LEADS,
    "admin.list_for_supervision": LEADS,
    "admin.record_department_step": LEADS,
    "admin.assessment_export": LEADS,
    "admin.report_supervision_progress": Action.ADD_NOTE,
    # The auditors' view of reward decisions and its exports (read-only): auditors see every
    # department, leads their own, finance the awards it works on (scoped_reports); names and
    # accounts masked for all but finance.
    "admin.reward_audit": REWARD_REVIEWERS,
    "admin.reward_audit_export": REWARD_REVIEWERS,
}


def report_or_404(number, action=Action.VIEW, target=None):
    """The report this user may `action` on, or 404: "not yours" and "no such report" look alike."""
    cache = g.setdefault("loaded_reports", {})
    key = (number, Action(action), target)
    if key not in cache:
        report = db.session.scalar(scoped_reports(current_user).where(Report.number == number))
        if report is None or not can(current_user, action, report, target):
            abort(404)
        cache[key] = report
    return cache[key]


def _allowed(rule):
    """Check a rule for the current request (the user is signed in); abort if it refuses."""
    if rule == SIGNED_IN:
        return
    if isinstance(rule, frozenset):
        if current_user.role not in rule:
            abort(403)
        return
    # An Action: every report URL names its report; the guard loads it, so a view cannot forget.
    number = (request.view_args or {}).get("number")
    if number is None:
        abort(404)
    report_or_404(number, rule)


def enforce_rules():
    """The route's rule; admin/auth.py calls it last in its one ordered gate (signed in, second
    factor passed, then this), so a half-signed-in session is sent to the code page first."""
    rule = RULES.get(request.endpoint)
    if rule is None:
        abort(404)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    _allowed(rule)
    return None
