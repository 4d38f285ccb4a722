"""Disk and CPU cannot be exhausted without submitting anything (issue 5, item 5): upload
quotas, staging expiry, rate limits on intake and supplements, the pixel cap, decode slots."""

import io
import os
import re
import secrets
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal import create_app
from portal.config import ConfigError, from_environment
from portal.evidence import sanitise, storage
from portal.extensions import db
from portal.reports.models import Report, Supplement
from tests.conftest import (
    IsolatedClient,
    _config,
    intake_form,
    jpeg_with_gps,
    pdf_bytes,
    png_bytes,
    receipt_in,
    redis_url,
)

MB = 1024 * 1024


def post(client, form, files=(), **kw):
    data = dict(form)
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/report/new", data=data, content_type="multipart/form-data", **kw)


def staging_files(app):
    root = Path(app.config["EVIDENCE_DIR"]) / "staging"
    return sorted(root.iterdir()) if root.exists() else []


def staged_field(page):
    return re.search(r'name="staged_evidence" type="hidden" value="([^"]+)"', page).group(1)


def reports():
    return db.session.scalar(select(func.count()).select_from(Report))


def pdf_of(mb):
    return pdf_bytes() + b"0" * int(mb * MB)


@pytest.fixture
def limited_app(app, database_url, tmp_path):
    """limited_app(**settings): the app with rate limits on (the suite turns them off)."""

    def build(storage_uri="memory://", **settings):
        config = _config(database_url, tmp_path) | {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": storage_uri,
            "RATELIMIT_KEY_PREFIX": "test-" + secrets.token_hex(4),  # runs sharing a Redis stay apart
        }
        built = create_app(config | settings)
        built.test_client_class = IsolatedClient  # binds intake tokens to its session, as conftest's
        return built

    return build


# ---- staged bytes: per session and per address ----------------------------------------------


def test_failed_posts_cannot_stage_more_than_the_session_quota(limited_app):
    app = limited_app(UPLOAD_MB_PER_SESSION="3 per 2 hours", UPLOAD_MB_PER_ADDRESS="100 per 2 hours")
    citizen = app.test_client()
    invalid = intake_form(description="")
    # 1.5 MB costs 2 (each started megabyte counts); the second file would make 4 > 3.
    page = post(
        citizen, invalid, files=[("a.pdf", pdf_of(1.5)), ("b.pdf", pdf_of(1.5))], query_string={"lang": "en"}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "b.pdf was not added: too much was uploaded from your connection" in text
    assert "a.pdf" in text and len(staging_files(app)) == 1
    again = post(citizen, invalid, files=[("c.pdf", pdf_of(0.5))], query_string={"lang": "en"})
    assert "c.pdf was not added" not in again.get_data(as_text=True)  # 2 + 1 still fits
    assert len(staging_files(app)) == 2
    # Another browser at the same address has its own session budget.
    other = post(app.test_client(), invalid, files=[("d.pdf", pdf_of(1.5))], query_string={"lang": "en"})
    assert "d.pdf was not added" not in other.get_data(as_text=True)
    assert len(staging_files(app)) == 3


def test_dropping_the_cookie_does_not_escape_the_address_quota(limited_app):
    app = limited_app(UPLOAD_MB_PER_SESSION="100 per 2 hours", UPLOAD_MB_PER_ADDRESS="2 per 2 hours")
    invalid = intake_form(description="")
    for name in ("a.pdf", "b.pdf"):
        post(app.test_client(), invalid, files=[(name, pdf_bytes())])
    refused = post(app.test_client(), invalid, files=[("c.pdf", pdf_bytes())], query_string={"lang": "en"})
    assert "c.pdf was not added: too much was uploaded" in refused.get_data(as_text=True)
    elsewhere = app.test_client()
    ok = post(elsewhere, invalid, files=[("d.pdf", pdf_bytes())], environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert "d.pdf" in ok.get_data(as_text=True) and len(staging_files(app)) == 3


def test_a_refused_upload_keeps_the_text_and_the_files_already_received(limited_app):
    app = limited_app(UPLOAD_MB_PER_SESSION="1 per 2 hours")
    citizen = app.test_client()
    description = "过期的牛奶仍在货架上销售，生产日期被涂改。"
    first = post(
        citizen, intake_form(description=description, business_name=""), files=[("a.png", png_bytes())]
    )
    second = post(
        citizen,
        intake_form(description=description, staged_evidence=staged_field(first.get_data(as_text=True))),
        files=[("b.png", png_bytes((9, 9)))],
        query_string={"lang": "en"},
    )
    page = second.get_data(as_text=True)
    assert second.status_code == 422 and "b.png was not added" in page
    assert description in page and "a.png" in page and reports() == 0


# ---- staging expiry and the purge without a cron ----------------------------------------------


def _age(path, seconds):
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_abandoned_uploads_are_purged_after_about_two_hours_without_a_cron(app, client):
    post(client, intake_form(description=""), files=[("old.png", png_bytes())])
    (old,) = staging_files(app)
    _age(old, 2 * 3600 + 11 * 60)  # past the expiry and the purge's grace
    storage._last_purge["at"] = 0.0  # this worker has not purged lately
    post(client, intake_form(description=""), files=[("new.png", png_bytes((9, 9)))])
    remaining = staging_files(app)
    assert old not in remaining and len(remaining) == 1


def test_an_expired_staged_file_is_named_not_dropped_silently(app, client):
    first = post(client, intake_form(business_name=""), files=[("发票.png", png_bytes())])
    (path,) = staging_files(app)
    _age(path, 2 * 3600 + 60)
    again = post(
        client,
        intake_form(staged_evidence=staged_field(first.get_data(as_text=True))),
        query_string={"lang": "en"},
    )
    assert again.status_code == 422 and reports() == 0
    assert "发票.png was received more than 2 hours ago and has expired. Choose it again." in again.get_data(
        as_text=True
    )


# ---- rate limits on intake and supplement posts -----------------------------------------------


@pytest.mark.parametrize("storage_kind", ["memory", "redis"])
def test_intake_posts_are_rate_limited_and_keep_what_was_typed(limited_app, storage_kind):
    uri = "memory://" if storage_kind == "memory" else redis_url()
    app = limited_app(uri, SUBMISSION_LIMIT="3 per minute")
    citizen = app.test_client()
    first = post(citizen, intake_form(business_name=""), files=[("a.png", png_bytes())])
    staged = staged_field(first.get_data(as_text=True))
    for _ in range(2):
        post(citizen, intake_form(business_name="", staged_evidence=staged))
    if storage_kind == "redis":  # a second worker counts against the same budget
        app = limited_app(
            uri, SUBMISSION_LIMIT="3 per minute", RATELIMIT_KEY_PREFIX=app.config["RATELIMIT_KEY_PREFIX"]
        )
        citizen = app.test_client()
    description = "商家虚假宣传，称普通食品能治疗糖尿病。"
    refused = post(
        citizen, intake_form(description=description, staged_evidence=staged), query_string={"lang": "en"}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "sent too many times from your connection in a short while. Wait 1 minute and send it" in page
    assert description in page and "a.png" in page  # typed text and received files kept
    assert reports() == 0 and len(staging_files(app)) == 1
    # Another address is not affected.
    ok = post(citizen, intake_form(), environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert ok.status_code == 200 and receipt_in(ok.get_data(as_text=True))[1]


def test_supplements_are_rate_limited_and_keep_what_was_typed(limited_app):
    app = limited_app(SUPPLEMENT_LIMIT="2 per minute")
    citizen = app.test_client()
    number, key = receipt_in(post(citizen, intake_form()).get_data(as_text=True))
    citizen.post("/track", data={"number": number, "access_key": key})
    for i in range(2):
        assert citizen.post("/track/status", data={"body": f"补充第{i}次"}).status_code == 302
    body = "店家今天又把过期牛奶摆上了货架。"
    refused = citizen.post("/track/status", data={"body": body}, query_string={"lang": "en"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and body in page
    assert "This form was sent too many times from your connection" in page
    assert db.session.scalar(select(func.count()).select_from(Supplement)) == 2


def test_limit_settings_come_from_the_environment_and_bad_ones_refuse_to_start(
    monkeypatch, database_url, tmp_path
):
    monkeypatch.setenv("SUBMISSION_LIMIT", "5 per minute")
    monkeypatch.setenv("SUPPLEMENT_LIMIT", "4 per minute")
    monkeypatch.setenv("UPLOAD_MB_PER_ADDRESS", "300 per 2 hours")
    config = from_environment()
    assert (config["SUBMISSION_LIMIT"], config["SUPPLEMENT_LIMIT"]) == ("5 per minute", "4 per minute")
    assert config["UPLOAD_MB_PER_ADDRESS"] == "300 per 2 hours"
    with pytest.raises(ConfigError, match="SUBMISSION_LIMIT='lots' is not a limit"):
        create_app(_config(database_url, tmp_path) | {"SUBMISSION_LIMIT": "lots"})


# ---- images: the pixel cap and bounded decoding -----------------------------------------------


def _blank_png(size):
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, format="PNG")  # a few KB that would decode to a huge bitmap
    return buffer.getvalue()


@pytest.mark.parametrize(
    "size",
    [
        (8200, 6200),  # 50.8 MP: just over what phones produce
        (10000, 10000),  # 100 MP: over Pillow's bomb warning
        (13400, 13400),  # 180 MP: over Pillow's bomb error
    ],
)
def test_image_with_too_many_pixels_says_so_not_broken_image(client, size):
    response = post(
        client, intake_form(), files=[("巨图.png", _blank_png(size))], query_string={"lang": "en"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and reports() == 0
    assert "巨图.png has too many pixels to process. Send a smaller copy or a screenshot of it." in page
    assert "cannot be opened" not in page


def test_busy_decoder_refuses_the_image_and_keeps_files_already_staged(app, client):
    first = post(client, intake_form(business_name=""), files=[("发票.pdf", pdf_bytes())])
    staged = staged_field(first.get_data(as_text=True))
    with all_decoding_slots_taken():
        busy = post(
            client,
            intake_form(staged_evidence=staged),
            files=[("现场.jpg", jpeg_with_gps())],
            query_string={"lang": "en"},
        )
    page = busy.get_data(as_text=True)
    assert busy.status_code == 422 and reports() == 0
    assert "现场.jpg could not be processed now because the server is busy." in page
    assert "发票.pdf" in page and len(staging_files(app)) == 1


@contextmanager
def all_decoding_slots_taken():
    """Other requests hold every decoding slot of this worker (real contention, no mock)."""
    held = 0
    try:
        for _ in range(sanitise.DECODE_SLOTS):
            assert sanitise._decoding.acquire(timeout=1)
            held += 1
        yield lambda: sanitise._decoding.release()
    finally:
        for _ in range(held):
            with suppress(ValueError):  # the test already gave one back
                sanitise._decoding.release()


def test_decoding_waits_for_a_slot_instead_of_running_unbounded(app):
    """With every slot taken, a decode starts only when one is released."""
    finished = threading.Event()

    def decode():
        sanitise.clean(png_bytes())
        finished.set()

    with all_decoding_slots_taken() as release_one:
        worker = threading.Thread(target=decode)
        worker.start()
        time.sleep(0.3)
        assert not finished.is_set()
        release_one()
        worker.join(5)
        assert finished.is_set()
