"""The public statistics page in a real browser (issue 12, Tests): reports and decisions made
through the domain (at least 5 per cell, so no figure is suppressed), the aggregate refreshed,
then /statistics opened in Chinese and in English. The ECharts canvases must really be drawn
(inked pixels counted with getImageData) and the data tables must show the counts taken here from
the rows. Screenshots: test-output/screenshots/s1-zh.png, s2-en.png.

ECharts comes from scripts/ensure-echarts.sh (npm registry, gitignored); without it the page has
tables only and this test is skipped with that reason."""

from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from portal.audit.chain import SYSTEM
from portal.clock import to_local
from portal.deadlines.models import ReportDeadline
from portal.extensions import db
from portal.reports.history import StateChange
from portal.reports.models import Report
from portal.reports.operations import transition_report
from portal.satisfaction.operations import rate_report
from portal.statistics.refresh import DECISION_CLOCKS, refresh_statistics
from tests.casework import OWN, file_report

ECHARTS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "echarts.min.js"

# Per chart: is it drawn, and how many pixels of its canvas carry ink (alpha > 0)?
CANVAS_INK = r"""() => Array.from(document.querySelectorAll('[data-chart-for]')).map((box) => {
  const canvas = box.querySelector('canvas');
  if (!canvas) return {table: box.dataset.chartFor, drawn: box.dataset.drawn || null, inked: 0, url: 0};
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const alpha = ctx.getImageData(0, 0, canvas.width, canvas.height).data.filter((_, i) => i % 4 === 3);
  return {
    table: box.dataset.chartFor,
    drawn: box.dataset.drawn || null,
    inked: alpha.filter((a) => a > 0).length,
    url: canvas.toDataURL().length,
  };
})"""

# Each data table as {row label: {column: shown text}}.
TABLES = r"""() => Object.fromEntries(
 Array.from(document.querySelectorAll('table[id^="table-"]')).map((t) => {
  const columns = Array.from(t.querySelectorAll('thead th[data-column]')).map((th) => th.dataset.column);
  const rows = Object.fromEntries(Array.from(t.querySelectorAll('tbody tr')).map((tr) => [
    tr.querySelector('th').textContent.trim(),
    Object.fromEntries(Array.from(tr.querySelectorAll('td')).map(
      (td, i) => [columns[i], td.textContent.trim()])),
  ]));
  return [t.id.replace('table-', ''), rows];
}))"""


def _world():
    """6 tip-offs in one district and category, all decided (not opened) and closed, 5 rated."""
    reports = [file_report(OWN)[0] for _ in range(6)]
    for report in reports:
        transition_report(report, "verifying", SYSTEM)
        transition_report(report, "not_opened", SYSTEM, reason="查无实据")
        transition_report(report, "closed", SYSTEM)
    db.session.commit()
    for score, report in zip((5, 4, 4, 3, 5), reports, strict=False):
        rate_report(report, score)
    db.session.commit()
    refresh_statistics()
    db.session.commit()
    return reports


def _counts(reports):
    """The figures counted here from the rows, independently of the aggregate."""
    received = db.session.scalar(select(func.count(Report.id)))
    closed = db.session.scalar(select(func.count(StateChange.id)).where(StateChange.to_state == "closed"))
    clocks = db.session.scalars(
        select(ReportDeadline).where(
            ReportDeadline.status == "met", ReportDeadline.policy_code.in_(DECISION_CLOCKS)
        )
    ).all()
    on_time = sum(to_local(c.met_at).date() <= c.due_on for c in clocks)
    return {
        "received": str(received),
        "closed": str(closed),
        "decided": str(len(clocks)),
        "on_time_share": str(round(100 * on_time / len(clocks))),
    }


def _check_page(page, url, reports, expected):
    page.goto(url)
    page.wait_for_selector('[data-chart-for="table-month"][data-drawn="true"] canvas')
    charts = page.evaluate(CANVAS_INK)
    drawn = {c["table"]: c for c in charts}
    assert set(drawn) == {"table-month", "table-category", "table-region"}, charts
    for chart in charts:
        assert chart["drawn"] == "true", chart
        # Axes, legend and bars: thousands of inked pixels (a blank canvas has none).
        assert chart["inked"] > 2000, chart
        assert chart["url"] > 5000, chart
    tables = page.evaluate(TABLES)
    month = to_local(reports[0].received_at).strftime("%Y-%m")
    assert tables["month"] == {month: expected}
    assert list(tables["category"].values()) == [expected]
    assert list(tables["region"].values()) == [expected]
    assert page.inner_text("#overall-received") == expected["received"]
    assert page.inner_text("#overall-rated") == "5"


def test_statistics_page_draws_charts_in_chinese_and_english(app, live_server, browser_page, screenshot):
    if not ECHARTS.exists():
        pytest.skip("static/vendor/echarts.min.js missing: run scripts/ensure-echarts.sh (npm registry)")
    reports = _world()
    expected = _counts(reports)
    assert expected == {"received": "6", "closed": "6", "decided": "6", "on_time_share": "100"}
    page = browser_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    _check_page(page, f"{live_server}/statistics", reports, expected)
    assert page.evaluate("document.documentElement.lang").startswith("zh")
    with app.test_request_context("/"), force_locale("zh_CN"):
        title_zh = gettext("Public statistics")
    assert title_zh != "Public statistics" and page.inner_text("h1") == title_zh
    screenshot("s1-zh")

    _check_page(page, f"{live_server}/statistics?lang=en", reports, expected)
    assert page.inner_text("h1") == "Public statistics"
    screenshot("s2-en")
    assert errors == []
