"""The legal dates on the status page in the reader's language: one sentence per clock code
(portal/deadlines/notices.py gives the codes and dates), the period and the rule it comes from."""

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.deadlines.notices import legal_dates
from portal.site import bp

# (while the clock runs, once the step was taken). A notice clock is met the day it starts (the
# status page is the notice), so it has one sentence.
SENTENCES = {
    "complaint.accept": (
        _l("The department must decide whether to accept your complaint, and tell you, by this date."),
        _l("The decision whether to accept your complaint was due by this date; it was made on %(met)s."),
    ),
    "complaint.mediation": (
        _l("The mediation of your complaint should be finished by this date."),
        _l("The mediation was due to be finished by this date; it ended on %(met)s."),
    ),
    "complaint.mediation_ended_notice": (
        _l("The department must tell you and the business that the mediation ended by this date."),
    )
    * 2,
    "tip.case_decision": (
        _l("The department must decide whether to open a case by this date."),
        _l("The decision whether to open a case was due by this date; it was made on %(met)s."),
    ),
    "tip.decision_notice": (
        _l("As you gave your name, the department must tell you whether a case was opened by this date."),
    )
    * 2,
    "tip.case_conclusion": (
        _l("The case should be decided by this date."),
        _l("The case was due to be decided by this date; it was decided on %(met)s."),
    ),
}


def _period(item):
    period = _("%(n)d working days", n=item.days) if item.working_days else _("%(n)d days", n=item.days)
    return _("%(period)s, extended with approval", period=period) if item.extended else period


def _entry(item):
    running_text, met_text = SENTENCES[item.code]
    if item.running or item.met_on is None:
        sentence = str(running_text)
    else:
        sentence = str(met_text) % {"met": format_date(item.met_on, "long")}
    return {
        "due_on": item.due_on,
        "date": format_date(item.due_on, "long"),
        "sentence": sentence,
        "basis": _("%(period)s; %(rule)s", period=_period(item), rule=item.citation),
        "provisional": item.provisional,
        "running": item.running,
        "code": item.code,
    }


@bp.app_template_global("legal_dates")
def legal_date_entries(report):
    """What site/_legal_dates.html lists for this report (empty: no clock the law gives)."""
    return [_entry(item) for item in legal_dates(report)]
