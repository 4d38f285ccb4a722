"""The receipt that is hard to lose (issue 9, item 4): a QR code that opens /track with the number
filled in (never the key), a copyable and printable receipt, and a form re-posted from the
browser's history that no longer shows the key to whoever holds the phone later."""

import base64
import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.casework.key_reissue import reissue_access_key
from portal.clock import frozen_at, utcnow
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.operations import find_by_receipt
from tests.conftest import bind_form_session, complaint_form, intake_form, make_user, receipt_in


def post(client, form):
    return client.post("/report/new", data=dict(form), content_type="multipart/form-data")


def reports():
    return db.session.scalar(select(func.count()).select_from(Report))


def qr_png(page):
    src = re.search(r'<img src="data:image/png;base64,([^"]+)" id="receipt-qr"', page)
    assert src, "no QR code image on the receipt"
    return base64.b64decode(src.group(1))


def decode_qr(png, tmp_path):
    """What a phone's camera reads from the code (zbar, Debian's zbar-tools)."""
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg missing: scripts/ensure-zbar.sh installs zbar-tools")
    # The PNG has one pixel per module; the page shows it scaled up without smoothing
    # (image-rendering: pixelated), which is what a camera sees: scale it the same way.
    image = Image.open(io.BytesIO(png))
    path = tmp_path / "qr.png"
    image.resize((image.width * 6, image.height * 6), Image.Resampling.NEAREST).save(path)
    done = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_qr_code_opens_the_lookup_page_with_the_number_and_never_the_key(app, client, tmp_path):
    app.config["PUBLIC_BASE_URL"] = "https://ts.example.gov.cn"
    page = post(client, intake_form()).get_data(as_text=True)
    number, key = receipt_in(page)
    url = decode_qr(qr_png(page), tmp_path)
    assert url == f"https://ts.example.gov.cn/track?number={number}"
    plain_key = key.replace("-", "")
    assert key not in url and plain_key not in url.replace("-", "")
    # No link or image address on the page carries the key either.
    addresses = re.findall(r'(?:href|src|action)="([^"]*)"', page)
    assert addresses and not any(plain_key in a.replace("-", "") for a in addresses)
    # Following the code: the number is filled in, the key field is empty and has the focus.
    lookup = client.get(url.removeprefix("https://ts.example.gov.cn")).get_data(as_text=True)
    assert re.search(rf'name="number"[^>]*value="{number}"', lookup)
    key_input = re.search(r'<input[^>]*name="access_key"[^>]*>', lookup).group(0)
    assert "autofocus" in key_input and key not in lookup
    # …and the key typed there opens the report.
    opened = client.post("/track", data={"number": number, "access_key": key})
    assert opened.headers["Location"].endswith("/track/status")


def test_a_linked_receipt_encodes_the_complaint_number(client, tmp_path):
    page = post(client, complaint_form(also_tip="y")).get_data(as_text=True)
    number, _key = receipt_in(page)
    assert number.startswith("TS-") and 'id="receipt-linked-number"' in page
    assert decode_qr(qr_png(page), tmp_path).endswith(f"/track?number={number}")


def test_number_and_key_are_plain_text_and_only_the_receipt_is_printed(client):
    """Without scripts: the copy and print buttons are hidden (app.js shows them) and the number
    and key are text to select; everything around the receipt is marked not to print."""
    page = post(client, intake_form()).get_data(as_text=True)
    number, key = receipt_in(page)
    assert number and re.fullmatch(r"([0-9A-Z]{4}-){4}[0-9A-Z]{4}", key)
    copy = re.search(r"<button[^>]*data-copy=[^>]*>", page, re.S).group(0)
    assert " hidden" in copy
    receipt = re.search(r'<section class="receipt-box receipt-print[^>]*>(.*?)</section>', page, re.S).group(
        1
    )
    assert number in receipt and 'id="receipt-key"' in receipt and 'id="receipt-qr"' in receipt
    main = re.search(r"<main[^>]*>(.*)</main>", page, re.S).group(1)
    outside = main.replace(receipt, "")
    # Every top-level block of the page's content other than the receipt is no-print.
    blocks = re.findall(r"^(<(?:h1|p|div|section)[^>]*>)", outside, re.M)
    assert blocks and all("no-print" in b or "receipt-print" in b for b in blocks), blocks


def test_a_repeat_within_the_window_in_the_same_session_shows_the_same_receipt(app, client):
    form = intake_form()
    first = receipt_in(post(client, form).get_data(as_text=True))
    with frozen_at(utcnow() + timedelta(seconds=app.config["RECEIPT_REPEAT_SECONDS"] - 20)):
        again = post(client, form).get_data(as_text=True)
    assert receipt_in(again) == first and first[1]
    assert reports() == 1


def test_a_repeat_after_the_window_says_sent_without_the_key(app, client):
    app.config["RECEIPT_REPEAT_SECONDS"] = 30
    form = intake_form()
    number, key = receipt_in(post(client, form).get_data(as_text=True))
    with frozen_at(utcnow() + timedelta(seconds=45)):
        again = post(client, form)
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and 'id="receipt-withheld"' in page
    assert key not in page and key.replace("-", "") not in page and number not in page
    assert 'href="/track"' in page
    assert reports() == 1


def test_a_repeat_from_another_browser_session_gets_no_key(app, client):
    form = intake_form()
    number, key = receipt_in(post(client, form).get_data(as_text=True))
    other = app.test_client()
    bind_form_session(other, "another-browser")
    page = post(other, form).get_data(as_text=True)
    assert receipt_in(page) == (None, None)
    assert key not in page and number not in page
    assert reports() == 1


def test_a_repeat_after_staff_reissued_the_key_does_not_show_the_old_one(app, client):
    form = intake_form(identity="real_name", reporter_name="李四", reporter_phone="13912345678")
    number, old_key = receipt_in(post(client, form).get_data(as_text=True))
    report = db.session.scalar(select(Report).where(Report.number == number))
    staff = make_user("counter.clerk", "staff", report.department.code)
    new_key = reissue_access_key(report, "身份证现场核验", staff)
    db.session.commit()
    again = post(client, form)  # well inside the window
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and old_key not in page and new_key not in page
    assert find_by_receipt(number, old_key) is None and find_by_receipt(number, new_key) is not None
