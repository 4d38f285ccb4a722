"""Following a report with its receipt: status, timeline, adding information."""

import io
import re
from datetime import date

import pytest
import redis
from sqlalchemy import select

from portal import create_app
from portal.audit.chain import SYSTEM, Actor
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.operations import transition_report
from tests.conftest import (
    _config,
    fake_exe,
    intake_form,
    jpeg_with_gps,
    make_user,
    png_bytes,
    receipt_in,
    redis_url,
)


def file_report(client):
    page = client.post("/report/new", data=intake_form()).get_data(as_text=True)
    return receipt_in(page)


def open_report(client, number, key):
    return client.post("/track", data={"number": number, "access_key": key})


def test_status_page_shows_state_department_and_timeline(client):
    number, key = file_report(client)
    response = open_report(client, number, key)
    assert response.status_code == 302
    status = client.get("/track/status")
    page = status.get_data(as_text=True)
    assert number in page and "市市场监督管理局" in page
    assert len(re.findall(r'<li class="list-group-item">', page)) == 1
    assert status.headers["Cache-Control"] == "no-store"  # not kept in shared browser caches


def test_timeline_follows_staff_actions_without_internal_detail(client):
    number, key = file_report(client)
    report = db.session.scalar(select(Report))
    staff = make_user("market.staff", "staff", "market")
    transition_report(report, "verifying", Actor.for_user(staff), reason="内部备注：线人疑似前员工")
    lead = make_user("market.lead", "lead", "market")
    transition_report(
        report, "case_opened", Actor.for_user(lead), case_number="立字7号", opened_on=date(2026, 11, 2)
    )
    db.session.commit()
    open_report(client, number, key)
    page = client.get("/track/status?lang=en").get_data(as_text=True)
    assert "A case has been opened" in page
    assert page.count('class="list-group-item"') == 3
    assert "内部备注" not in page and "market.staff" not in page  # no internal notes, no staff names


def test_status_needs_a_receipt(client):
    response = client.get("/track/status")
    assert response.status_code == 302 and response.headers["Location"].endswith("/track")


def test_reporter_adds_text_and_evidence(client):
    number, key = file_report(client)
    open_report(client, number, key)
    response = client.post(
        "/track/status",
        data={
            "body": "补充：今天又去看了，情况依旧。",
            "evidence": [(io.BytesIO(jpeg_with_gps()), "补充.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    report = db.session.scalar(select(Report))
    assert [s.body for s in report.supplements] == ["补充：今天又去看了，情况依旧。"]
    assert [e.original_name for e in report.evidence] == ["补充.jpg"]
    assert report.evidence[0].supplement_id == report.supplements[0].id
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "reports").order_by(AuditEvent.id)
    ).all()
    assert events == ["report.submitted", "report.supplemented"]


def test_refused_file_in_supplement_keeps_the_text(client):
    number, key = file_report(client)
    open_report(client, number, key)
    response = client.post(
        "/track/status",
        data={"body": "很长的补充说明", "evidence": [(io.BytesIO(fake_exe()), "x.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "很长的补充说明" in response.get_data(as_text=True)
    assert db.session.scalar(select(Report)).supplements == []


def test_failure_to_store_a_supplement_file_saves_nothing_and_keeps_the_form(app, client, monkeypatch):
    """Fault injection: the file cannot be put in the store (disk full). We run as root, so a
    chmod cannot make a real fault; the storage's placing function is replaced to raise."""
    from pathlib import Path

    from portal.evidence import storage
    from portal.evidence.models import Evidence
    from portal.reports.models import Supplement

    def files_under(folder):
        root = Path(app.config["EVIDENCE_DIR"]) / folder
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    number, key = file_report(client)
    open_report(client, number, key)

    def disk_full(source, target):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(storage, "_place", disk_full)
    text = "补充：老板承认用了过期原料。"
    response = client.post(
        "/track/status",
        data={"body": text, "evidence": [(io.BytesIO(png_bytes()), "进货单.png")]},
        content_type="multipart/form-data",
        query_string={"lang": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Your files could not be saved just now" in page
    assert text in page and "进货单.png" in page
    assert db.session.scalar(select(Report)).supplements == []
    assert (
        db.session.scalars(select(Evidence)).all() == []
        and db.session.scalars(select(Supplement)).all() == []
    )
    assert files_under("store") == [] and len(files_under("staging")) == 1

    monkeypatch.undo()
    staged = re.search(r'name="staged_evidence" type="hidden" value="([^"]+)"', page).group(1)
    again = client.post("/track/status", data={"body": text, "staged_evidence": staged})
    assert again.status_code == 302
    report = db.session.scalar(select(Report))
    assert [s.body for s in report.supplements] == [text]
    assert [e.original_name for e in report.evidence] == ["进货单.png"]
    assert files_under("staging") == [] and len(files_under("store")) == 1


def test_closed_report_takes_no_more_information(client):
    number, key = file_report(client)
    report = db.session.scalar(select(Report))
    transition_report(report, "verifying", SYSTEM)
    transition_report(report, "not_opened", SYSTEM, reason="线索不清")
    transition_report(report, "closed", SYSTEM)
    db.session.commit()
    open_report(client, number, key)
    page = client.get("/track/status").get_data(as_text=True)
    assert "线索不清" in page and 'name="body"' not in page
    response = client.post("/track/status", data={"body": "再补充"})
    assert response.status_code == 422
    assert db.session.scalar(select(Report)).supplements == []


def test_leaving_forgets_the_report(client):
    number, key = file_report(client)
    open_report(client, number, key)
    client.post("/track/end")
    assert client.get("/track/status").status_code == 302


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_receipt_lookups_are_rate_limited(app, database_url, tmp_path, storage):
    uri = "memory://" if storage == "memory" else redis_url()
    if storage == "redis":
        redis.Redis.from_url(uri).flushdb()  # database 15 is the tests' own
    config = _config(database_url, tmp_path) | {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": uri}
    limited = create_app(config)
    client = limited.test_client()
    codes = [open_report(client, "JB-2026-000001", "WRONG").status_code for _ in range(11)]
    assert codes[:10] == [404] * 10 and codes[10] == 429
    assert "尝试次数过多" in client.post("/track", data={"number": "x", "access_key": "y"}).get_data(
        as_text=True
    )


def tables_read(app, client, path):
    """The tables a page's SELECTs read, in order (FROM clauses of the statements it sent)."""
    from sqlalchemy import event

    seen = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("SELECT"):
            seen.append(re.search(r"\bFROM (\w+)", statement).group(1))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    return seen


def test_the_status_page_of_an_open_report_reads_seven_tables_once_each(app, client):
    """An open report has no award and no rating (both need a decided report, which never
    reopens): the page does not ask for them. Each list is read once, whatever its length."""
    number, key = file_report(client)
    open_report(client, number, key)
    expected = ["web_sessions", "reports", "state_changes", "evidence", "supplements", "messages"]
    assert sorted(tables_read(app, client, "/track/status")) == sorted(expected + ["report_deadlines"])


def test_a_decided_report_shows_its_rating_form(client):
    number, key = file_report(client)
    report = db.session.scalar(select(Report))
    transition_report(report, "verifying", SYSTEM)
    transition_report(report, "not_opened", SYSTEM, reason="线索不清")
    db.session.commit()
    open_report(client, number, key)
    page = client.get("/track/status").get_data(as_text=True)
    assert 'name="score"' in page  # the rating form (the report is decided, no rating yet)
