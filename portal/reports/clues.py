"""Same clue (同一线索): reports about the same facts. Likely duplicates are found by licence,
normalised business name or similar description; staff confirm with a link; the earliest report
of a clue is its first (rewards go to the first reporter)."""

import re
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, and_, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.permissions import Action, can, scoped_reports
from portal.audit.chain import Actor, record_event
from portal.casework.search import shingles
from portal.clock import utcnow
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.models import Report

WINDOW = timedelta(days=90)
MIN_JACCARD = 0.6
MAX_CANDIDATES = 300  # the text comparison looks at no more than this many reports
_NOT_WORD = re.compile(r"[\W_]+")


class ClueLink(db.Model):
    """A report's membership in a clue; clue_id is the id of the report that started it."""

    __tablename__ = "clue_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    clue_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(DateTime)


def normalise_name(name):
    """NFKC, lower case, no spaces or punctuation: 老街坊 餐馆（文三店） ≈ 老街坊餐馆(文三店)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", name or "").lower())


def tokens(text):
    """The description's character bigrams and Latin words (the queue's search tokens): a
    standard shingle set for near-duplicate text, without a dictionary in memory."""
    return shingles(text)


def jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


def _candidates(user, report):
    """Visible reports sharing the licence, or of the same category within 90 days (bounded)."""
    near = and_(
        Report.category_id == report.category_id,
        Report.received_at.between(report.received_at - WINDOW, report.received_at + WINDOW),
    )
    same_licence = Report.business_licence == report.business_licence if report.business_licence else None
    match = or_(same_licence, near) if same_licence is not None else near
    query = scoped_reports(user).where(Report.id != report.id, match)
    return db.session.scalars(query.order_by(Report.received_at.desc()).limit(MAX_CANDIDATES)).all()


def likely_duplicates(user, report):
    """[(other report, why)] the user may see, why ∈ licence | name | text; linked ones left out."""
    linked = {r.id for r in clue_members(report)}
    name, words = normalise_name(report.business_name), tokens(report.description)
    found = []
    for other in _candidates(user, report):
        if other.id in linked:
            continue
        nearby = (
            other.category_id == report.category_id and abs(other.received_at - report.received_at) <= WINDOW
        )
        if report.business_licence and other.business_licence == report.business_licence:
            found.append((other, "licence"))
        elif nearby and name and normalise_name(other.business_name) == name:
            found.append((other, "name"))
        elif nearby and jaccard(words, tokens(other.description)) >= MIN_JACCARD:
            found.append((other, "text"))
    return found


def _clue_id(report):
    return db.session.scalar(select(ClueLink.clue_id).where(ClueLink.report_id == report.id))


def clue_members(report):
    """Every report of this report's clue, earliest first (just itself when it has no clue)."""
    clue = _clue_id(report)
    if clue is None:
        return [report]
    query = select(Report).join(ClueLink, ClueLink.report_id == Report.id).where(ClueLink.clue_id == clue)
    return db.session.scalars(query.order_by(Report.received_at, Report.id)).all()


def is_first_of_clue(report):
    """True for the earliest report of its clue (by received_at, then number order)."""
    return clue_members(report)[0].id == report.id


def may_link(user, report, other):
    """Those who work on the report link it to another report they can see."""
    return can(user, Action.ADD_NOTE, report) and can(user, Action.VIEW, other)


def link_same_clue(report, other, user):
    """Staff confirm two reports are the same clue; clues already formed are merged into one."""
    if report.id == other.id or not may_link(user, report, other):
        raise ReportError("clue_not_allowed")
    mine, theirs = _clue_id(report), _clue_id(other)
    if mine is not None and mine == theirs:
        raise ReportError("already_same_clue")
    clue = mine or theirs or report.id
    now = utcnow()
    for member, current in ((report, mine), (other, theirs)):
        if current is None:
            db.session.add(ClueLink(report_id=member.id, clue_id=clue, linked_by_id=user.id, linked_at=now))
        elif current != clue:  # merge the other clue into this one
            db.session.execute(update(ClueLink).where(ClueLink.clue_id == current).values(clue_id=clue))
    db.session.flush()
    first = clue_members(report)[0]
    for a, b in ((report, other), (other, report)):
        record_event("report.same_clue", a, Actor.for_user(user), {"with": b.number, "first": first.number})
