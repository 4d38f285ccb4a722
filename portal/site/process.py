""""What happens to my report" (issue 12 item 8): both procedures in plain language, with the
legal time limits read from the deadline policies in force today, and a server-side search that
finds the matching section (works without scripts; the home page has the search box)."""

from dataclasses import dataclass

from flask import render_template, request
from flask_babel import gettext as _

from portal.clock import local_today
from portal.deadlines.policies import policies_in_force
from portal.site import bp


@dataclass
class Section:
    anchor: str
    title: str
    paragraphs: list

    def matches(self, words):
        text = " ".join([self.title, *self.paragraphs]).lower()
        return all(word in text for word in words)


def _limit(policies, code):
    """The time limit of a clock in force today, in words ("7 working days", "90 days")."""
    policy = policies.get(code)
    if policy is None:
        return _("the time limit set by law")
    if policy.working_days is not None:
        days = _("%(n)d working days", n=policy.working_days)
    else:
        days = _("%(n)d days", n=policy.calendar_days)
    if policy.extension_days:
        more = (
            _("%(n)d working days", n=policy.extension_days)
            if policy.working_days is not None
            else _("%(n)d days", n=policy.extension_days)
        )
        return _("%(days)s (a lead may extend it by %(more)s)", days=days, more=more)
    return days


def sections():
    today = local_today()
    policies = {p.code: p for kind in ("complaint", "tip") for p in policies_in_force(kind, today)}

    def limit(code):
        return _limit(policies, code)

    return [
        Section(
            "choose",
            _("Complaint or tip-off?"),
            [
                _(
                    "A complaint (投诉) is about your own purchase or service: the department helps you "
                    "settle the dispute with the business, for example a refund or compensation."
                ),
                _(
                    "A tip-off (举报) reports something illegal, such as unsafe food, fake drugs or an "
                    "unlicensed business. It may be anonymous and may earn a reward."
                ),
            ],
        ),
        Section(
            "receipt",
            _("After you send it: your receipt"),
            [
                _(
                    "You get a report number and an access key. Keep both: with them you follow the "
                    "progress, answer the department's questions, add evidence and rate the handling."
                ),
                _("The report goes to the department responsible for the place and the kind of problem."),
            ],
        ),
        Section(
            "complaint",
            _("What happens to a complaint"),
            [
                _(
                    "The department decides whether to accept your complaint within %(limit)s of "
                    "receiving it, and tells you.",
                    limit=limit("complaint.accept"),
                ),
                _(
                    "If it is accepted, the department mediates between you and the business. Mediation "
                    "ends within %(limit)s of acceptance, with an agreement or without one.",
                    limit=limit("complaint.mediation"),
                ),
                _(
                    "If mediation ends without agreement, you are told within %(limit)s. You may then go "
                    "to arbitration or to court.",
                    limit=limit("complaint.mediation_ended_notice"),
                ),
                _(
                    "A complaint can be declined only on the legal grounds (for example, the matter is "
                    "already before a court); you are told the ground."
                ),
            ],
        ),
        Section(
            "tip",
            _("What happens to a tip-off"),
            [
                _(
                    "The department checks the facts and decides whether to open a case within %(limit)s.",
                    limit=limit("tip.case_decision"),
                ),
                _(
                    "If you gave your real name, you are told whether a case was opened within %(limit)s "
                    "of that decision.",
                    limit=limit("tip.decision_notice"),
                ),
                _(
                    "An opened case is concluded within %(limit)s, for example with a penalty decision.",
                    limit=limit("tip.case_conclusion"),
                ),
                _(
                    "A real-name tip-off that led to a penalty may earn a reward: the status page tells "
                    "you and explains how to claim it."
                ),
            ],
        ),
        Section(
            "wrong-department",
            _("If the report reached the wrong department"),
            [
                _(
                    "A department that is not responsible returns the report to the intake office, which "
                    "sends it to the right department. The time limits start again there."
                ),
            ],
        ),
        Section(
            "rating",
            _("Rating the handling"),
            [
                _(
                    "Once your report is decided you can rate the handling from 1 to 5 on the status page. "
                    "If you are not satisfied, say why and ask a lead of the department to review it."
                ),
            ],
        ),
        Section(
            "working-days",
            _("Working days"),
            [
                _(
                    "Working days leave out weekends and public holidays, following the State Council's "
                    "holiday schedule (make-up working days count)."
                ),
            ],
        ),
    ]


@bp.get("/process")
def process():
    query = (request.args.get("q") or "").strip()[:100]
    found = None
    all_sections = sections()
    if query:
        words = [w for w in query.lower().split() if w]
        found = [s for s in all_sections if s.matches(words)]
    return render_template("site/process.html", sections=all_sections, query=query, found=found)
