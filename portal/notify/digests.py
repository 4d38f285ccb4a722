"""The leads' daily digest: what is due soon, overdue, and waiting for their approval in their
department, made by the deadline sweep through the outbox, at most once per lead, department
and local day (a unique dedup key: a second sweep, or two at once, adds nothing)."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Role, User
from portal.accounts.permissions import scoped_reports
from portal.audit.chain import SYSTEM, record_event
from portal.clock import to_local, utcnow
from portal.deadlines.clocks import DUE_SOON_WORKING_DAYS
from portal.deadlines.queries import due_filter
from portal.extensions import db
from portal.notify.models import NotificationKind, Outbox
from portal.notify.outbox import queue_mail
from portal.reports.models import Report
from portal.reports.proposals import Proposal, ProposalStatus

LISTED = 50  # numbers listed per section; the rest are counted


@dataclass(frozen=True)
class Digest:
    overdue: list
    due_soon: list
    waiting: list

    @property
    def empty(self):
        return not (self.overdue or self.due_soon or self.waiting)


def _numbers(query):
    return list(db.session.scalars(query.with_only_columns(Report.number).order_by(Report.number)))


def digest_for(lead):
    """What this lead's department has due, overdue and waiting (through scoped_reports)."""
    reports = scoped_reports(lead)
    overdue = _numbers(due_filter(reports, "overdue"))
    due_soon = [
        n for n in _numbers(due_filter(reports, "due_within", DUE_SOON_WORKING_DAYS)) if n not in overdue
    ]
    waiting = list(
        db.session.scalars(
            select(Report.number)
            .join(Proposal, Proposal.report_id == Report.id)
            .where(Proposal.status == ProposalStatus.PENDING, Report.department_id == lead.department_id)
            .order_by(Report.number)
        )
    )
    return Digest(overdue, due_soon, waiting)


def _section(title, numbers):
    shown = ", ".join(numbers[:LISTED])
    more = _(" and %(n)d more", n=len(numbers) - LISTED) if len(numbers) > LISTED else ""
    return f"{title} ({len(numbers)}): {shown}{more}" if numbers else f"{title}: 0"


def _mail(lead, digest, day):
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Daily digest for %(department)s, %(day)s", department=lead.department.name, day=day)
        body = "\n\n".join(
            [
                _("Good morning. What your department has waiting today:"),
                _section(_("Overdue"), digest.overdue),
                _section(_("Due within %(n)d working days", n=DUE_SOON_WORKING_DAYS), digest.due_soon),
                _section(_("Waiting for a lead's approval"), digest.waiting),
                _("The queue: %(url)s", url=f"{base}/admin/queue?due=overdue"),
            ]
        )
    return subject, body + "\n"


def digest_leads():
    """Active leads with an email address, of active departments."""
    return db.session.scalars(
        select(User)
        .where(
            User.role == Role.LEAD,
            User.active.is_(True),
            User.email.is_not(None),
            User.department_id.is_not(None),
        )
        .order_by(User.department_id, User.id)
    ).all()


def queue_digests(now=None, actor=SYSTEM):
    """Queue today's digest for every lead who has none yet and something to read; how many.
    Nothing before DIGEST_HOUR (local): a digest is read in the morning, not at midnight."""
    local = to_local(now or utcnow())
    if local.hour < current_app.config["DIGEST_HOUR"]:
        return 0
    day, made = local.date().isoformat(), 0
    for lead in digest_leads():
        key = f"digest:{lead.department.code}:{day}:{lead.id}"
        if db.session.scalar(select(Outbox.id).where(Outbox.dedup_key == key)) is not None:
            continue
        digest = digest_for(lead)
        if digest.empty:
            continue
        subject, body = _mail(lead, digest, day)
        try:
            with db.session.begin_nested():  # a concurrent sweep may have just made it
                row = queue_mail(NotificationKind.DIGEST, lead.email, subject, body, dedup_key=key)
                db.session.flush()
        except IntegrityError:
            continue
        counts = {
            "overdue": len(digest.overdue),
            "due_soon": len(digest.due_soon),
            "waiting": len(digest.waiting),
        }
        record_event("digest.queued", row, actor, {"department": lead.department.code, "day": day} | counts)
        made += 1
    return made
