"""The submission path: form tokens bound to a session, repeats, and evidence that reaches the
store with its report or not at all."""

import hashlib
import io
import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.evidence import storage
from portal.evidence.models import Evidence
from portal.evidence.storage import stage_upload, stored_path
from portal.extensions import db
from portal.reports.models import Report, Supplement
from portal.reports.operations import submit_report
from portal.reports.receipts import new_submission_token, submission_token_valid
from tests.conftest import (
    FORM_BINDING,
    ON_POSTGRES,
    bind_form_session,
    intake_form,
    jpeg_with_gps,
    make_intake,
    pdf_bytes,
    png_bytes,
    receipt_in,
)

TOKEN_FIELD = re.compile(r'name="submission_token" type="hidden" value="([^"]*)"')
STAGED_FIELD = re.compile(r'name="staged_evidence" type="hidden" value="([^"]+)"')
NOT_ISSUED = "This form was not opened in this browser session (or it expired)."
ALREADY_SENT = "This form was already sent."
NOT_STORED = "Your files could not be saved just now, so the report was not sent."


def post(client, form, files=()):
    data = dict(form)
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(
        "/report/new", data=data, content_type="multipart/form-data", query_string={"lang": "en"}
    )


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def files_under(app, folder):
    root = Path(app.config["EVIDENCE_DIR"]) / folder
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def form_state(page):
    """(token, signed staged list) the re-rendered form carries."""
    staged = STAGED_FIELD.search(page)
    return TOKEN_FIELD.search(page).group(1), staged.group(1) if staged else ""


def other_browser(app, binding="another-browser"):
    client = app.test_client()
    bind_form_session(client, binding)
    return client


# ---- item 4: tokens are issued, signed and bound to the session ---------------------------


def test_form_hands_out_a_token_bound_to_this_session(app):
    browser = app.test_client()
    bind_form_session(browser, "my-own-session")
    token = TOKEN_FIELD.search(browser.get("/report/new").get_data(as_text=True)).group(1)
    assert submission_token_valid(token, "my-own-session")
    assert not submission_token_valid(token, FORM_BINDING)
    assert not submission_token_valid(token[:-1] + ("A" if token[-1] != "A" else "B"), "my-own-session")


def test_made_up_token_is_refused_with_everything_kept(client, app):
    text = "冷库里的冻肉没有检疫标志，标签日期被涂改。"
    made_up = "x" * 44
    response = post(client, intake_form(description=text, submission_token=made_up), [("a.png", png_bytes())])
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and NOT_ISSUED in page
    assert text in page and "a.png" in page and count(Report) == 0
    token, staged = form_state(page)
    assert token != made_up and submission_token_valid(token, FORM_BINDING)

    again = post(client, intake_form(description=text, submission_token=token, staged_evidence=staged))
    assert again.status_code == 200 and receipt_in(again.get_data(as_text=True))[1]
    report = db.session.scalar(select(Report))
    assert report.description == text and [e.original_name for e in report.evidence] == ["a.png"]


def test_token_from_another_session_does_not_reveal_the_receipt(client, app):
    victim_form = intake_form()
    number, key = receipt_in(post(client, victim_form).get_data(as_text=True))
    attacker = other_browser(app)
    for form in (victim_form, intake_form(description="随便写点什么内容来拿回执。")):
        form["submission_token"] = victim_form["submission_token"]
        response = post(attacker, form)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and NOT_ISSUED in page
        assert number not in page and key not in page and key.replace("-", "") not in page
    assert count(Report) == 1


def test_token_issued_to_another_session_cannot_file_a_report_either(app):
    other = other_browser(app)
    token = TOKEN_FIELD.search(other.get("/report/new").get_data(as_text=True)).group(1)
    mine = app.test_client()  # bound to FORM_BINDING
    response = post(mine, intake_form(submission_token=token))
    assert response.status_code == 422 and NOT_ISSUED in response.get_data(as_text=True)
    assert count(Report) == 0


def test_same_token_with_other_content_is_already_used_and_keeps_the_files(client, app):
    form = intake_form()
    first = post(client, form, [("a.png", png_bytes())]).get_data(as_text=True)
    first_key = receipt_in(first)[1]
    changed = dict(form, description="另一件事：隔壁超市卖过期牛奶，货架上还有很多。")
    response = post(client, changed, [("b.jpg", jpeg_with_gps())])
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and ALREADY_SENT in page
    assert first_key not in page and changed["description"] in page and "b.jpg" in page
    token, staged = form_state(page)
    assert token != form["submission_token"] and len(files_under(app, "staging")) == 1

    resent = post(client, dict(changed, submission_token=token, staged_evidence=staged))
    assert resent.status_code == 200 and receipt_in(resent.get_data(as_text=True))[1] != first_key
    second = db.session.scalar(select(Report).where(Report.description == changed["description"]))
    assert [e.original_name for e in second.evidence] == ["b.jpg"]
    assert files_under(app, "staging") == [] and len(files_under(app, "store")) == 2


def test_same_token_with_other_files_is_already_used(client):
    form = intake_form()
    post(client, form, [("a.png", png_bytes())])
    response = post(client, form, [("a.png", png_bytes((20, 20)))])
    assert response.status_code == 422 and ALREADY_SENT in response.get_data(as_text=True)
    assert count(Report) == 1


def test_repeat_with_the_same_files_shows_the_receipt_and_leaves_no_staged_copy(client, app):
    form, files = intake_form(), [("a.png", png_bytes()), ("b.pdf", pdf_bytes())]
    first = receipt_in(post(client, form, files).get_data(as_text=True))
    second = receipt_in(post(client, form, files).get_data(as_text=True))
    assert first == second and count(Report) == 1 and count(Evidence) == 2
    assert files_under(app, "staging") == [] and len(files_under(app, "store")) == 2


def test_a_repeat_takes_no_number_from_the_next_report(client):
    """A repeat is found by its failed insert, after it took the next number: the rollback must
    give that number back, so the next report still gets the following one (no gap)."""
    form = intake_form()
    first = receipt_in(post(client, form).get_data(as_text=True))[0]
    assert receipt_in(post(client, form).get_data(as_text=True))[0] == first  # the repeat
    other = intake_form(description="第二件事：隔壁超市卖过期牛奶。")
    second = receipt_in(post(client, other).get_data(as_text=True))[0]
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers need PostgreSQL; SQLite serialises them")
def test_concurrent_double_submit_with_files_leaves_no_orphan(app):
    """A double click with files: one report, one receipt, only the report's files on disk."""
    import threading

    form, files = intake_form(), [("a.png", png_bytes()), ("b.jpg", jpeg_with_gps())]
    barrier, pages = threading.Barrier(2), []

    def click():
        client = app.test_client()
        barrier.wait()
        pages.append(post(client, form, files).get_data(as_text=True))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(pages) == 2 and len({receipt_in(p)[1] for p in pages}) == 1
    report = db.session.scalar(select(Report))
    assert count(Report) == 1 and files_under(app, "staging") == []
    assert files_under(app, "store") == sorted(stored_path(e.storage_name) for e in report.evidence)


# ---- item 11: evidence reaches the store with its report, or not at all ---------------------


def test_failure_after_commit_still_shows_the_receipt(client, app, monkeypatch, caplog):
    """Fault injection: removing the staged copy after the commit fails. We run as root, so a
    chmod cannot make a real permission fault; the function is replaced to raise OSError."""

    def broken(path):
        raise OSError(5, "Input/output error", str(path))

    monkeypatch.setattr(storage, "_remove_staged_copy", broken)
    with caplog.at_level(logging.ERROR, logger="portal.evidence.storage"):
        response = post(client, intake_form(), [("a.jpg", jpeg_with_gps())])
    number, key = receipt_in(response.get_data(as_text=True))
    assert response.status_code == 200 and number and key
    report = db.session.scalar(select(Report))
    stored = stored_path(report.evidence[0].storage_name)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == report.evidence[0].sha256
    assert any(
        number in r.getMessage() and report.evidence[0].storage_name in r.getMessage() for r in caplog.records
    )
    monkeypatch.undo()
    # Only a spare staged copy is left; the purge removes it and the evidence stays intact.
    assert len(files_under(app, "staging")) == 1
    storage.purge_stale_staging(max_age=-1)
    assert files_under(app, "staging") == [] and stored.exists()
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == report.evidence[0].sha256


def test_failure_to_store_a_file_saves_nothing_and_keeps_the_form(client, app, monkeypatch, caplog):
    """Fault injection: the second file cannot be put in the store (disk error). We run as root,
    so a chmod cannot make a real permission fault; the placing function is wrapped to raise."""
    real, calls = storage._place, []

    def second_fails(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(target))
        real(source, target)

    monkeypatch.setattr(storage, "_place", second_fails)
    text = "药店把处方药当非处方药卖，还不开票。"
    files = [("a.png", png_bytes()), ("b.pdf", pdf_bytes())]
    with caplog.at_level(logging.ERROR, logger="portal.evidence.storage"):
        response = post(client, intake_form(description=text), files)
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and NOT_STORED in page
    assert text in page and "a.png" in page and "b.pdf" in page
    assert count(Report) == count(Evidence) == 0
    assert files_under(app, "store") == [] and len(files_under(app, "staging")) == 2
    assert any("No space left" in r.getMessage() for r in caplog.records)

    monkeypatch.undo()
    token, staged = form_state(page)
    again = post(client, intake_form(description=text, submission_token=token, staged_evidence=staged))
    number = receipt_in(again.get_data(as_text=True))[0]
    assert number.endswith("-000001")  # the failed attempt used no number
    report = db.session.scalar(select(Report))
    assert sorted(e.original_name for e in report.evidence) == ["a.png", "b.pdf"]
    assert files_under(app, "staging") == [] and len(files_under(app, "store")) == 2


# ---- item 10: a savepoint rolled back drops only its own files ------------------------------


def test_savepoint_rollback_inside_a_submission_keeps_the_reports_files(app):
    report_file = stage_upload(png_bytes(), "a.png")
    receipt = submit_report(make_intake(), [report_file], new_submission_token())
    savepoint = db.session.begin_nested()
    extra = stage_upload(jpeg_with_gps(), "b.jpg")
    db.session.add(Supplement(report=receipt.report, body="draft", created_at=receipt.report.received_at))
    storage.store_on_commit(
        db.session,
        extra,
        Evidence(
            storage_name="never.jpg",
            original_name="b.jpg",
            mime_type="image/jpeg",
            size_bytes=extra.size_bytes,
            sha256=extra.sha256,
            created_at=receipt.report.received_at,
        ),
    )
    savepoint.rollback()
    db.session.commit()

    report = db.session.scalar(select(Report))
    assert [e.original_name for e in report.evidence] == ["a.png"] and report.supplements == []
    assert stored_path(report.evidence[0].storage_name).exists()
    assert files_under(app, "store") == [stored_path(report.evidence[0].storage_name)]
    assert files_under(app, "staging") == [storage.staging_path(extra.token)]  # not placed
