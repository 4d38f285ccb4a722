"""Who may see what. Every query that lists reports goes through scoped_reports()."""

from sqlalchemy import false, select

from portal.accounts.models import DEPARTMENT_ROLES, Role
from portal.reports.models import Report

# Roles that read across departments (read-only for auditors).
CROSS_DEPARTMENT_ROLES = (Role.AUDITOR,)


def sees_all_departments(user):
    return user is not None and user.is_authenticated and user.role in CROSS_DEPARTMENT_ROLES


def scoped_reports(user):
    """A select of the reports this user may see; department staff see only their queue."""
    query = select(Report)
    if user is None or not user.is_authenticated:
        return query.where(false())
    if sees_all_departments(user):
        return query
    if user.role in DEPARTMENT_ROLES and user.department_id is not None:
        return query.where(Report.department_id == user.department_id)
    # Finance sees reports through awards (later); administrators see no case content.
    return query.where(false())


def can_view(user, report):
    if user is None or not user.is_authenticated:
        return False
    if sees_all_departments(user):
        return True
    return user.role in DEPARTMENT_ROLES and report.department_id == user.department_id
