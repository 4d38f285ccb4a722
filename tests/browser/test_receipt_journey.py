"""On a phone: the receipt is copied with one tap, prints as the receipt alone, and its QR code
opens the lookup page with the number filled in and the cursor in the key field (issue 9, item 4);
the status page then shows the dates the law sets (item 5). Real Chromium over HTTP."""

import re
from datetime import date, timedelta

from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from portal.deadlines.models import ReportDeadline
from portal.extensions import db
from portal.reports.models import Report


def _zh(app, text):
    with app.test_request_context(), force_locale("zh_CN"):
        return gettext(text)


def test_copy_print_and_scan_the_receipt_then_see_the_legal_dates(app, live_server, browser_page, screenshot):
    page = browser_page
    app.config["PUBLIC_BASE_URL"] = live_server  # the QR code points at this server
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.location.get("url", "").endswith("/favicon.ico")
            and problems.append(f"console error: {m.text}")
        ),
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)

    page.goto(f"{live_server}/report/new")
    page.check("input[name=kind][value=tip]")
    category = page.locator("select[name=category] option", has_text="餐饮服务")
    page.select_option("select[name=category]", value=category.get_attribute("value"))
    page.select_option("select[name=district]", label="西湖区")
    page.fill("input[name=business_name]", "老街坊餐馆")
    page.fill("textarea[name=description]", "后厨卫生很差，员工不戴口罩直接用手处理熟食。")
    page.fill("input[name=occurred_on]", (date.today() - timedelta(days=3)).isoformat())
    page.check("input[name=identity][value=anonymous]")
    with page.expect_navigation() as navigation:
        page.click("form[data-once] button[data-send]")
    assert navigation.value.status == 200, page.locator("main").inner_text()
    number = page.locator("#receipt-number").inner_text().strip()
    key = page.locator("#receipt-key").inner_text().strip()

    # Copy: one tap puts the number and the key on the clipboard, and the page says so.
    copy = page.locator("button[data-copy]")
    assert copy.is_visible()
    copy.click()
    # Playwright's own polling (a string predicate would be eval'd, which the page's CSP refuses).
    expect(page.locator("#copy-status")).to_have_text(re.compile(r"\S"))
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines() == [
        f"{_zh(app, 'Tip-off number')}: {number}",
        f"{_zh(app, 'Access key')}: {key}",
    ]
    assert page.locator("#copy-status").inner_text() == _zh(
        app, "Copied. Paste it somewhere safe, e.g. a note on your phone."
    )
    # The QR code is drawn (the CSP lets the data: image load): one pixel per module (version 1 is
    # 21 modules, plus the quiet zone), shown large enough for a phone camera by the stylesheet.
    assert page.evaluate("document.getElementById('receipt-qr').naturalWidth") >= 29
    assert page.locator("#receipt-qr").bounding_box()["width"] >= 150
    screenshot("20-receipt-with-qr")

    # Print: the receipt alone, with the bureau's name; no warning, buttons, header or footer.
    page.emulate_media(media="print")
    assert page.locator("#receipt").is_visible() and page.locator("#receipt-qr").is_visible()
    assert page.locator("#receipt p.d-print-block").first.is_visible()
    for hidden in (
        ".alert-warning",
        "main h1",
        "button[data-copy]",
        "button[data-print]",
        "header",
        "footer",
    ):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("#receipt-key").inner_text().strip() == key
    page.emulate_media(media="screen")

    # Scan: the code's address opens the lookup with the number in and the cursor in the key field.
    qr_url = page.locator("#receipt figcaption .text-break").inner_text().strip()
    assert qr_url == f"{live_server}/track?number={number}"
    page.goto(qr_url)
    assert page.locator("input[name=number]").input_value() == number
    assert page.evaluate("document.activeElement.name") == "access_key"
    assert page.locator("input[name=access_key]").input_value() == ""
    page.keyboard.type(key)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url == f"{live_server}/track/status"

    # The status page: the date by which the department must decide whether to open a case.
    report = db.session.scalar(select(Report).where(Report.number == number))
    due = db.session.scalar(select(ReportDeadline.due_on).where(ReportDeadline.report_id == report.id))
    shown = page.locator("#legal-dates time").first
    assert shown.get_attribute("datetime") == due.isoformat()
    assert re.fullmatch(rf"{due.year}年{due.month}月{due.day}日", shown.inner_text().strip())
    assert (
        _zh(app, "The department must decide whether to open a case by this date.")
        in page.locator("#legal-dates").inner_text()
    )
    screenshot("21-status-legal-dates")
    assert problems == []
