"""Who oversees: the handling department's leads, and the supervising office (the intake office
食安办, whose leads see and supervise every department)."""

from portal.accounts.models import Role


def is_lead(user):
    return user is not None and user.role == Role.LEAD and user.department_id is not None


def is_supervisor(user):
    """A lead of the intake office: the supervising office of issue 12."""
    return is_lead(user) and user.department is not None and user.department.is_intake_office


def may_review(user, department_id, author_id):
    """The second person of the two-person rule: another lead of the department, or a supervisor."""
    if not is_lead(user) or user.id == author_id:
        return False
    return user.department_id == department_id or is_supervisor(user)
