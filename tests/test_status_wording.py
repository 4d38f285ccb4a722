"""What the citizen reads on the status page, for every state of both tracks, in both languages:
the kind's own words, never a tip-off's words on a complaint."""

import html
import re

import pytest

from portal.demo import path_to
from portal.extensions import db
from portal.reports.operations import submit_report
from portal.reports.receipts import new_submission_token
from portal.reports.states import STATES, Kind, public_state_text
from portal.reports.timeline import RECEIVED, TIMELINE_TEXT
from tests.conftest import make_intake
from tests.test_states import step

EVERY_STATE = [(kind, state) for kind, states in STATES.items() for state in states]
# Words of the tip-off procedure (verification, case, penalty) that must never describe a complaint.
TIP_WORDS = re.compile(r"verif|case|penalt|tip-off|investigat", re.IGNORECASE)


def open_status(client, kind, state, lang):
    token = new_submission_token()
    receipt = submit_report(make_intake(kind=kind), [], token)
    report = receipt.report
    db.session.commit()
    for target in _path(kind, state):
        step(report, target)
    db.session.commit()
    assert (
        client.post("/track", data={"number": report.number, "access_key": receipt.access_key}).status_code
        == 302
    )
    return client.get(f"/track/status?lang={lang}").get_data(as_text=True)


def _path(kind, state):
    return path_to(kind, state)


def state_line(page):
    return html.unescape(re.search(r'id="report-state">(.*?)</dd>', page, re.S).group(1)).strip()


def timeline(page):
    items = re.search(r'<ol[^>]*id="timeline">(.*?)</ol>', page, re.S).group(1)
    return [
        html.unescape(re.sub(r"<[^>]+>|\d{4}-\d\d-\d\d \d\d:\d\d", "", li)).strip()
        for li in items.split("</li>")[:-1]
    ]


@pytest.mark.parametrize(("kind", "state"), EVERY_STATE, ids=lambda v: str(v))
def test_status_page_speaks_the_kinds_own_words_in_english(app, client, kind, state):
    page = open_status(client, kind, state, "en")
    with app.test_request_context("/?lang=en"):
        assert state_line(page) == str(public_state_text(kind, state))
        expected = [str(RECEIVED[Kind(kind)])] + [
            str(TIMELINE_TEXT[Kind(kind)][s]) for s in _path(kind, state)
        ]
    assert timeline(page) == expected
    if kind == Kind.COMPLAINT:
        assert not TIP_WORDS.search(state_line(page)) and not TIP_WORDS.search(" ".join(timeline(page)))


@pytest.mark.parametrize(("kind", "state"), EVERY_STATE, ids=lambda v: str(v))
def test_status_page_in_chinese_shows_no_english_state_text(app, client, kind, state):
    page = open_status(client, kind, state, "zh_CN")
    with app.test_request_context("/?lang=en"):
        english = str(public_state_text(kind, state))
    assert re.search(r"[\u4e00-\u9fff]", state_line(page)) and english not in page
