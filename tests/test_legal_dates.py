"""The dates the law ties to each notice, on the citizen's status page (issue 9, item 5): read
from the report's running and met clocks, in plain language in both languages, provisional dates
marked as such, internal clocks left out."""

import html
import re
from datetime import date, datetime

import pytest
from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.chain import SYSTEM
from portal.clock import frozen_at
from portal.deadlines.clocks import open_clock
from portal.deadlines.models import ReportDeadline
from portal.extensions import db
from portal.reports.operations import submit_report, transition_report
from portal.reports.receipts import new_submission_token
from tests.conftest import make_intake

pytestmark = pytest.mark.usefixtures("app")

MONDAY_2_NOV = datetime(2026, 11, 2, 2, 0)  # 10:00 in Beijing
ENTRY = re.compile(
    r'<dt class="col-sm-3 legal-date-([\w-]+)"><time datetime="([\d-]+)">([^<]+)</time>(.*?)</dt>\s*'
    r'<dd class="col-sm-9">(.*?) <span class="text-muted small">\((.*?)\)</span></dd>',
    re.S,
)


def submit(moment, **intake):
    with frozen_at(moment):
        receipt = submit_report(make_intake(**intake), [], new_submission_token())
        db.session.commit()
    return receipt.report, receipt.access_key


def clocks(report):
    rows = db.session.scalars(
        select(ReportDeadline).where(ReportDeadline.report_id == report.id).order_by(ReportDeadline.id)
    )
    return {row.policy_code.replace(".", "-"): row for row in rows}


def status_page(app, report, key, lang):
    citizen = app.test_client()
    citizen.post("/track", data={"number": report.number, "access_key": key})
    return html.unescape(citizen.get(f"/track/status?lang={lang}").get_data(as_text=True))


def entries(page):
    """{code: (iso date, shown date, provisional?, sentence, basis)} in the page's order."""
    return {
        code: (iso, shown, "legal-date-provisional" in badge, sentence.strip(), basis)
        for code, iso, shown, badge, sentence, basis in ENTRY.findall(page)
    }


def expected(app, locale, text, **values):
    """A sentence as the reader's language says it (the catalogue's translation when there is one)."""
    with app.test_request_context(), force_locale(locale):
        return _(text, **values)


@pytest.mark.parametrize(("lang", "locale"), [("zh_CN", "zh_CN"), ("en", "en")])
def test_a_complaints_dates_are_its_clocks_due_dates_in_both_languages(app, lang, locale):
    report, key = submit(MONDAY_2_NOV, kind="complaint")
    with frozen_at(datetime(2026, 11, 5, 2, 0)):
        transition_report(report, "accepted", SYSTEM)
        db.session.commit()
    rows = clocks(report)
    shown = entries(status_page(app, report, key, lang))
    assert list(shown) == ["complaint-accept", "complaint-mediation"]
    for code, (iso, text, provisional, _sentence, _basis) in shown.items():
        row = rows[code]
        assert iso == row.due_on.isoformat() and provisional == row.provisional
        assert text == format_date(row.due_on, "long", locale=locale)
    # The acceptance decision was taken: its sentence says when; mediation is still running.
    made_on = format_date(date(2026, 11, 5), "long", locale=locale)
    assert shown["complaint-accept"][3] == expected(
        app,
        locale,
        "The decision whether to accept your complaint was due by this date; it was made on %(met)s.",
    ) % {"met": made_on}
    assert shown["complaint-mediation"][3] == expected(
        app, locale, "The mediation of your complaint should be finished by this date."
    )
    # The basis: the period the policy version gives and the article it cites.
    assert shown["complaint-accept"][4].startswith(expected(app, locale, "%(n)d working days", n=7))
    assert "第十五条" in shown["complaint-accept"][4] and "第二十四条" in shown["complaint-mediation"][4]


def test_the_english_page_says_what_the_department_must_do_by_when(app):
    report, key = submit(MONDAY_2_NOV, kind="complaint")
    page = status_page(app, report, key, "en")
    assert "November 11, 2026" in page  # 7 working days after Monday 2 November
    assert "The department must decide whether to accept your complaint, and tell you, by this date." in page
    assert "7 working days; 市场监督管理投诉举报处理暂行办法（2022年修正）第十五条" in page


def test_a_real_name_tip_off_shows_the_decision_the_notice_and_the_case_deadline(app):
    report, key = submit(MONDAY_2_NOV, anonymous=False, reporter_name="李四", reporter_phone="13912345678")
    open_clock(report, "tip.return_approval")  # an internal rule of the office: never shown
    with frozen_at(datetime(2026, 11, 10, 2, 0)):
        transition_report(report, "verifying", SYSTEM)
        transition_report(report, "case_opened", SYSTEM, case_number="立字7号", opened_on=date(2026, 11, 10))
        db.session.commit()
    rows = clocks(report)
    assert "tip-return_approval" in rows
    shown = entries(status_page(app, report, key, "en"))
    assert list(shown) == ["tip-case_decision", "tip-decision_notice", "tip-case_conclusion"]
    assert {code: iso for code, (iso, *_rest) in shown.items()} == {
        code: rows[code].due_on.isoformat() for code in shown
    }
    assert shown["tip-case_conclusion"][4].startswith("90 days")
    assert shown["tip-decision_notice"][3].startswith("As you gave your name")


def test_an_anonymous_tip_off_is_told_only_when_the_case_decision_is_due(app):
    report, key = submit(MONDAY_2_NOV)
    shown = entries(status_page(app, report, key, "en"))
    assert list(shown) == ["tip-case_decision"]
    assert shown["tip-case_decision"][0] == clocks(report)["tip-case_decision"].due_on.isoformat()
    assert "The department must decide whether to open a case by this date." in shown["tip-case_decision"][3]


def test_a_date_counted_on_the_estimated_calendar_is_marked_provisional(app):
    # Late December 2026: the 15 working days run into 2027, whose holidays are not published.
    report, key = submit(datetime(2026, 12, 21, 2, 0))
    row = clocks(report)["tip-case_decision"]
    assert row.provisional and row.due_on.year == 2027
    page = status_page(app, report, key, "en")
    shown = entries(page)
    assert shown["tip-case_decision"][0] == row.due_on.isoformat() and shown["tip-case_decision"][2]
    assert 'id="legal-dates-provisional"' in page
    # A date counted on the official calendar carries no such mark.
    other, other_key = submit(MONDAY_2_NOV)
    plain = status_page(app, other, other_key, "en")
    assert not entries(plain)["tip-case_decision"][2] and 'id="legal-dates-provisional"' not in plain
