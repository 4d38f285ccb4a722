"""Who may see and do what, in one place. Every query that lists reports goes through
scoped_reports(); every action (views, CLI, API) asks can(). Transition rights come from the
roles named in the transition tables (portal/reports/states.py)."""

import enum

from sqlalchemy import false, select

from portal.accounts.models import DEPARTMENT_ROLES, Role
from portal.reports.models import Report
from portal.reports.states import TRANSITIONS, Kind, State, move

# Roles that read across departments (read-only for auditors).
CROSS_DEPARTMENT_ROLES = (Role.AUDITOR,)


class Action(enum.StrEnum):
    VIEW = "view"  # open the case page, read its timeline
    VIEW_IDENTITY = "view_identity"  # unmask a real-name reporter (each reveal audited)
    DOWNLOAD_EVIDENCE = "download_evidence"
    EXPORT = "export"
    ADD_NOTE = "add_note"  # internal notes citizens never see
    ASSIGN = "assign"  # give a report to a colleague of the department
    MESSAGE = "message"  # write to the reporter (read and answered through the receipt)
    MOVE = "move"  # make a transition (target required)
    PROPOSE = "propose"  # propose a transition for a lead's approval (target required)
    REISSUE_KEY = "reissue_key"  # a new access key for a real-name reporter who lost theirs
    VIEW_REWARD = "view_reward"  # the reward page of a tip-off
    PROPOSE_REWARD = "propose_reward"
    DECIDE_REWARD = "decide_reward"  # approve or reject (never one's own proposal)
    SIGN_OFF_REWARD = "sign_off_reward"  # finance: sign off a large award, consent to an insider raise
    RECORD_PAYOUT = "record_payout"  # finance: in-person claims, payouts, reversals
    REVIEW_SATISFACTION = "review_satisfaction"  # a lead closes a dissatisfied reporter's review
    DRAFT_NOTICE = "draft_notice"  # a lead drafts the public notice of a penalty decision (issue 12)


# What a reader who changes nothing may do.
READ_ACTIONS = frozenset(
    {Action.VIEW, Action.VIEW_IDENTITY, Action.DOWNLOAD_EVIDENCE, Action.EXPORT, Action.VIEW_REWARD}
)
# What a department's staff and leads both do on their own department's reports.
CASE_HANDLING = frozenset({Action.ADD_NOTE, Action.REISSUE_KEY, Action.MESSAGE, Action.PROPOSE_REWARD})
# Actions of the department that owns the report, by role (transitions are checked separately).
DEPARTMENT_ACTIONS = {
    Role.STAFF: READ_ACTIONS | CASE_HANDLING,
    Role.LEAD: READ_ACTIONS
    | CASE_HANDLING
    | {Action.ASSIGN, Action.DECIDE_REWARD, Action.REVIEW_SATISFACTION, Action.DRAFT_NOTICE},
}
# Finance works on rewards only, across departments, and sees a report only through its award.
FINANCE_ACTIONS = frozenset({Action.VIEW_REWARD, Action.SIGN_OFF_REWARD, Action.RECORD_PAYOUT})


def _awarded_report_ids():
    from portal.rewards.models import RewardAward

    return select(RewardAward.report_id)


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False)


def sees_all_departments(user):
    return _signed_in(user) and user.role in CROSS_DEPARTMENT_ROLES


def scoped_reports(user):
    """A select of the reports this user may see; department staff see only their queue."""
    query = select(Report)
    if not _signed_in(user):
        return query.where(false())
    if sees_all_departments(user):
        return query
    if user.role in DEPARTMENT_ROLES and user.department_id is not None:
        # The intake office's queue is what was returned to it and what no rule matched: both
        # are assigned to it, so the department filter is all it needs.
        return query.where(Report.department_id == user.department_id)
    if user.role == Role.FINANCE:
        return query.where(Report.id.in_(_awarded_report_ids()))
    # Administrators see no case content.
    return query.where(false())


def can_view(user, report):
    return can(user, Action.VIEW, report)


def _owns(user, report):
    return user.role in DEPARTMENT_ROLES and user.department_id == report.department_id


def can(user, action, report, target=None):
    """May this user do `action` on this report now (for MOVE/PROPOSE: to state `target`)?"""
    action = Action(action)
    if not _signed_in(user) or report is None:
        return False
    if sees_all_departments(user):
        return action in READ_ACTIONS
    if user.role == Role.FINANCE:
        return action in FINANCE_ACTIONS and _has_award(report)
    if not _owns(user, report):
        return False
    if action in (Action.MOVE, Action.PROPOSE):
        step = move(report.kind, report.state, target) if target else None
        if step is None:
            return False
        return user.role in (step.roles if action == Action.MOVE else step.proposers)
    return action in DEPARTMENT_ACTIONS.get(user.role, frozenset())


def _has_award(report):
    from portal.extensions import db
    from portal.rewards.models import RewardAward

    found = select(RewardAward.id).where(RewardAward.report_id == report.id).limit(1)
    return db.session.scalar(found) is not None


def allowed_moves(user, report):
    """The moves this user may make or propose now: [(target state, Action.MOVE|PROPOSE)]."""
    targets = TRANSITIONS[Kind(report.kind)].get(State(report.state), {})
    result = []
    for target in targets:
        if can(user, Action.MOVE, report, target):
            result.append((target, Action.MOVE))
        elif can(user, Action.PROPOSE, report, target):
            result.append((target, Action.PROPOSE))
    return result
