"""The whole intake through the test client: form, uploads, receipt, and what is stored."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from portal.audit.models import AuditEvent
from portal.directory.models import Category, Region
from portal.evidence.models import Evidence
from portal.evidence.storage import stored_path
from portal.extensions import db
from portal.reports.models import Assignment, Report
from tests.conftest import (
    ON_POSTGRES,
    complaint_form,
    fake_exe,
    intake_form,
    jpeg_with_gps,
    lookup,
    pdf_bytes,
    png_bytes,
    receipt_in,
)


def post(client, form, files=(), **kw):
    data = dict(form)
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/report/new", data=data, content_type="multipart/form-data", **kw)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def store_files(app):
    root = Path(app.config["EVIDENCE_DIR"]) / "store"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def staging_files(app):
    root = Path(app.config["EVIDENCE_DIR"]) / "staging"
    return [p for p in root.iterdir()] if root.exists() else []


def test_form_renders_in_chinese_with_a_fresh_token(client):
    page = client.get("/report/new").get_data(as_text=True)
    assert 'name="submission_token"' in page and "餐饮服务" in page
    assert re.search(r'name="submission_token"[^>]*value="[\w-]{16,}"', page)


def test_tip_with_evidence_gets_a_receipt_and_is_stored_routed_and_audited(client, app):
    response = post(
        client,
        intake_form(district=str(lookup(Region, "330106").id), street=str(lookup(Region, "330106001").id)),
        files=[("现场.jpg", jpeg_with_gps()), ("发票.pdf", pdf_bytes())],
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    number, key = receipt_in(page)
    assert re.fullmatch(r"JB-\d{4}-\d{6}", number) and re.fullmatch(r"([0-9A-Z]{4}-){4}[0-9A-Z]{4}", key)
    assert response.headers["Cache-Control"] == "no-store"

    report = db.session.scalar(select(Report).where(Report.number == number))
    assert report.department.code == "market-330106"  # Xihu catering rule, via the street
    assert [a.rule.code for a in report.assignments] == ["food-catering-xihu"]
    assert report.state == "submitted" and report.anonymous and report.reporters == []
    assert {e.mime_type for e in report.evidence} == {"image/jpeg", "application/pdf"}
    for e in report.evidence:
        assert stored_path(e.storage_name).exists()
        assert "static" not in str(stored_path(e.storage_name))
        assert e.storage_name.split(".")[0] not in e.original_name
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == report.id)).all()
    assert [e.action for e in events] == ["report.submitted"]
    assert len(events[0].data["evidence_sha256"]) == 2
    assert key.replace("-", "") not in page.replace(key, "")  # shown once, in one place


def test_identity_is_no_longer_in_reports_and_is_encrypted_at_rest_in_reporters(client):
    body = post(
        client, complaint_form(contact_email="wang@example.cn", reporter_id_number="11010519491231002X")
    )
    assert body.status_code == 200, body.get_data(as_text=True)
    columns = {c["name"] for c in inspect(db.engine).get_columns("reports")}
    assert not columns & {"reporter_name", "reporter_phone", "reporter_id_number", "contact_email"}
    raw = db.session.execute(
        text("SELECT name, phone, postal_address, id_number, email FROM reporters")
    ).one()
    assert all(v and not any(s in v for s in ("王小明", "139", "文三路", "110105", "@")) for v in raw)
    reporter = db.session.scalar(select(Report)).primary_reporter
    assert (reporter.name, reporter.phone, reporter.postal_address, reporter.email) == (
        "王小明",
        "13912345678",
        "杭州市西湖区文三路 100 号",
        "wang@example.cn",
    )


def test_anonymous_tip_with_a_contact_has_a_reporter_holding_only_the_contact(client):
    post(client, intake_form(contact_email="anon@example.cn"))
    post(client, intake_form(business_name="另一家店"))
    with_contact, without = db.session.scalars(select(Report).order_by(Report.id)).all()
    assert without.reporters == []
    person = with_contact.primary_reporter
    assert person.email == "anon@example.cn"
    assert (person.name, person.phone, person.postal_address, person.id_number) == (None,) * 4


def test_validation_errors_keep_text_and_accepted_files(client, app):
    long_text = "店里卖的面霜没有中文标签，用后脸上起红疹。" * 20
    first = post(
        client,
        intake_form(description=long_text, business_name="", kind="complaint", wants_reward="y"),
        files=[("face.png", png_bytes())],
    )
    assert first.status_code == 422
    page = first.get_data(as_text=True)
    assert long_text in page  # nothing typed is lost
    assert "face.png" in page  # accepted file is listed, not re-asked
    assert page.count('class="invalid-feedback') >= 2  # business name + reward for complaint
    staged = re.search(r'name="staged_evidence" type="hidden" value="([^"]+)"', page)
    assert staged and count(Report) == 0 and len(staging_files(app)) == 1

    second = post(client, complaint_form(description=long_text, staged_evidence=staged.group(1)))
    assert second.status_code == 200
    report = db.session.scalar(select(Report))
    assert [e.original_name for e in report.evidence] == ["face.png"]
    assert len(store_files(app)) == 1 and staging_files(app) == []


def test_tampered_staged_list_is_ignored(client):
    response = post(client, intake_form(staged_evidence="forged.value"))
    assert response.status_code == 200
    assert db.session.scalar(select(Report)).evidence == []


def test_disguised_executable_is_refused_with_the_reason(client, app):
    response = post(client, intake_form(), files=[("photo.jpg", fake_exe())])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "photo.jpg" in page and "内容" in page  # says the content was checked
    assert count(Report) == 0 and staging_files(app) == []


def test_english_errors_when_english_is_chosen(client):
    response = post(
        client, intake_form(description="short"), files=[("x.jpg", fake_exe())], query_string={"lang": "en"}
    )
    page = response.get_data(as_text=True)
    assert "Write between 10 and 5000 characters." in page
    assert "is not a supported file type" in page


def test_more_than_five_files_are_refused_by_name(client):
    files = [(f"p{i}.png", png_bytes((8 + i, 8))) for i in range(6)]
    response = post(client, intake_form(), files=files)
    assert response.status_code == 422
    assert "p5.png" in response.get_data(as_text=True)
    assert count(Report) == 0


def test_oversize_request_gets_a_friendly_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    response = post(client, intake_form(), files=[("big.pdf", pdf_bytes() + b"0" * 300_000)])
    assert response.status_code == 413
    assert "MB" in response.get_data(as_text=True)
    assert count(Report) == 0


def test_oversize_single_file_is_refused_by_name(app, client):
    app.config["MAX_FILE_MB"] = 1
    response = post(client, intake_form(), files=[("huge.pdf", pdf_bytes() + b"0" * 1_100_000)])
    assert response.status_code == 422
    assert "huge.pdf" in response.get_data(as_text=True)


def test_invalid_licence_and_id_numbers_are_explained(client):
    response = post(
        client,
        intake_form(
            business_licence="91330100799655058C",  # one character off the real code
            identity="real_name",
            reporter_name="李四",
            reporter_phone="13800138000",
            reporter_id_number="110105194912310021",
        ),
        query_string={"lang": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors_next_to(page, "business_licence") == [
        "This 18-character credit code has a wrong check character. Check it, or leave the field empty."
    ]
    assert errors_next_to(page, "reporter_id_number") == [
        "This ID card number is not valid. Check it, or leave it empty."
    ]
    assert count(Report) == 0


def errors_next_to(page, name):
    """The error messages shown in the same form group as the input called `name`."""
    group = next(g for g in page.split('<div class="mb-3">') if f'name="{name}"' in g)
    return re.findall(r'class="invalid-feedback d-block" id="[^"]+">(.*?)</div>', group)


def test_real_name_without_name_or_phone_is_refused(client):
    response = post(client, intake_form(identity="real_name"))
    assert response.status_code == 422
    assert count(Report) == 0


def test_unknown_category_is_refused(client):
    response = post(client, intake_form(category="99999"))
    assert response.status_code == 422
    assert count(Report) == 0


def test_double_submit_creates_one_report_and_shows_the_same_receipt(client):
    form = intake_form()
    first = post(client, form).get_data(as_text=True)
    second = post(client, form).get_data(as_text=True)
    key = receipt_in(first)[1]
    assert key and receipt_in(second)[1] == key
    assert count(Report) == 1 and count(Assignment) == 1


def test_failed_submission_leaves_no_row_and_no_file(client, app, monkeypatch):
    """Fault injection: the database fails while linking the audit event at commit time."""
    from sqlalchemy.exc import OperationalError

    from portal.audit import chain

    def broken(session):
        raise OperationalError("INSERT INTO audit_events", {}, Exception("disk I/O error"))

    monkeypatch.setattr(chain, "_link_pending", broken)
    response = post(client, intake_form(), files=[("x.jpg", jpeg_with_gps())])
    assert response.status_code == 503
    assert "Traceback" not in response.get_data(as_text=True)
    db.session.rollback()
    assert count(Report) == 0 and count(Evidence) == 0 and count(Assignment) == 0
    assert store_files(app) == [] and staging_files(app) == []
    monkeypatch.undo()
    # The numbering rolled back too: the next report still gets number 1.
    ok = post(client, intake_form()).get_data(as_text=True)
    assert re.search(r"JB-\d{4}-000001", ok)


def test_category_and_region_choices_come_from_reference_data(client):
    page = client.get("/report/new?lang=en").get_data(as_text=True)
    for category in db.session.scalars(select(Category)):
        assert category.name_en.replace("&", "&amp;") in page
    assert "Xihu District" in page and "Beishan Subdistrict" in page


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers need PostgreSQL; SQLite serialises them")
def test_concurrent_double_submit_creates_one_report(app):
    """Two requests with the same form token at the same moment (a double click)."""
    import threading

    form = intake_form()
    barrier, pages = threading.Barrier(2), []

    def click():
        client = app.test_client()
        barrier.wait()
        pages.append(post(client, form).get_data(as_text=True))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    keys = {receipt_in(p)[1] for p in pages}
    assert len(pages) == 2 and len(keys) == 1
    assert count(Report) == 1


def test_builtin_field_messages_are_chinese_too(client):
    response = post(client, intake_form(occurred_on="not-a-date", business_name="店" * 201))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid date" not in page and "longer than" not in page
    assert "日期" in page and "200" in page


def test_future_date_is_refused(client):
    response = post(client, intake_form(occurred_on="2999-01-01"))
    assert response.status_code == 422 and count(Report) == 0


def test_csrf_is_enforced_and_explained(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    refused = post(client, intake_form())
    assert refused.status_code == 400 and "重新" in refused.get_data(as_text=True)
    form_page = client.get("/report/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page).group(1)
    accepted = post(client, intake_form(csrf_token=token))
    assert accepted.status_code == 200 and count(Report) == 1


def test_purge_removes_only_stale_staged_uploads(app, client, runner):
    import os
    import time

    post(client, intake_form(business_name=""), files=[("a.png", png_bytes())])
    post(client, intake_form(business_name=""), files=[("b.png", png_bytes((9, 9)))])
    old, fresh = sorted(staging_files(app))
    past = time.time() - 2 * 24 * 3600
    os.utime(old, (past, past))
    result = runner.invoke(args=["evidence", "purge-staging"])
    assert "removed 1" in result.output
    assert staging_files(app) == [fresh]


def test_resending_an_old_form_does_not_reveal_its_receipt(client):
    """After the repeat window, the form's token no longer brings back the key (or the form's
    answers): the page says it was sent and where to look the report up."""
    from datetime import timedelta

    from portal.clock import frozen_at, utcnow

    form = intake_form()
    number = receipt_in(post(client, form).get_data(as_text=True))[0]
    with frozen_at(utcnow() + timedelta(minutes=11)):
        again = post(client, form)
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and 'id="receipt-key"' not in page
    assert 'id="receipt-withheld"' in page and number not in page
    assert form["description"] not in page  # nothing of what was typed comes back either
    assert count(Report) == 1
