"""A citizen on a phone files an anonymous tip-off with a photo, then follows it with the receipt.

Drives real Chromium against the app served over HTTP (see conftest.py), in the default language
(zh_CN). Expected texts are looked up through the same catalogue the app uses, so the test holds
whether or not a string has been translated yet; Chinese data (category, business, file name)
must show either way. Screenshots: test-output/screenshots/0[123]-*.png.
"""

import re
from datetime import date, timedelta

from flask_babel import gettext
from sqlalchemy import func, select

from portal.evidence.models import Evidence
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.states import Kind, State, public_state_text
from portal.reports.timeline import RECEIVED
from tests.conftest import jpeg_with_gps

NUMBER = re.compile(r"^JB-\d{4}-\d{6}$")
# 20 Crockford base-32 characters (no I, L, O, U) in five groups of four.
ACCESS_KEY = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){4}$")
HAN = re.compile(r"[\u4e00-\u9fff]")
PHOTO_NAME = "现场照片.jpg"
BUSINESS = "老街坊餐馆"
DESCRIPTION = "后厨卫生很差，员工不戴口罩直接用手处理熟食，地上还有老鼠屎。"

# Families that can draw Chinese; at least one must really render the page's Chinese glyphs.
CJK_FAMILIES = {
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "Source Han Sans SC",
}

# Tofu check, part 1 (canvas). Draw each character alone in the body's font (from
# static/css/app.css) and compare the bitmaps: real glyphs of different characters differ, while
# missing glyphs all come out as the same box (or nothing), identical to an unassigned code
# point. Also probe whether "WenQuanYi Micro Hei" is installed by the classic width test (a Latin
# string measured in "<family>, monospace" differs from plain monospace only if the family
# exists), with a made-up family as a control that the probe itself works.
GLYPH_PROBE = r"""(sample) => {
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const family = getComputedStyle(document.body).fontFamily;
  const draw = (ch) => {
    ctx.clearRect(0, 0, 64, 64);
    ctx.font = '40px ' + family; ctx.fillStyle = '#000'; ctx.textBaseline = 'top';
    ctx.fillText(ch, 4, 4);
    const alpha = ctx.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 3);
    return {ink: alpha.some((a) => a > 0), bits: Array.from(alpha).join(',')};
  };
  const glyphs = Array.from(sample).map(draw);
  const missing = draw('\u0378').bits;
  const width = (f) => { ctx.font = '32px ' + f; return ctx.measureText('mmmmmmmmmmlli WwQq').width; };
  return {
    family,
    chars: glyphs.length,
    inked: glyphs.filter((g) => g.ink).length,
    distinct: new Set(glyphs.map((g) => g.bits)).size,
    like_missing: glyphs.filter((g) => g.bits === missing).length,
    wqy_installed: width('"WenQuanYi Micro Hei", monospace') !== width('monospace'),
    control_installed: width('"No Such Font 4f2a", monospace') !== width('monospace'),
    // Weak on its own: for local (non-@font-face) families Chromium answers true even for
    // fonts that do not exist, so this only proves the family name parses. Kept as the minimum.
    fonts_check: document.fonts.check('16px "WenQuanYi Micro Hei"', '餐饮服务'),
  };
}"""


def _fonts_rendering(page, selector):
    """Tofu check, part 2 (exact): the platform fonts Chromium used for the glyphs of a node."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"{selector} not found"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {f["familyName"]: f["glyphCount"] for f in fonts}
    finally:
        cdp.detach()


def _assert_chinese_renders(page, selector, sample):
    probe = page.evaluate(GLYPH_PROBE, sample)
    assert probe["fonts_check"] is True, probe
    assert probe["wqy_installed"] and not probe["control_installed"], probe
    assert probe["inked"] == probe["chars"], f"some characters drew nothing: {probe}"
    assert probe["distinct"] == probe["chars"], f"characters share one glyph (tofu): {probe}"
    assert probe["like_missing"] == 0, f"characters drawn as the missing-glyph box: {probe}"
    used = _fonts_rendering(page, selector)
    cjk = {name: n for name, n in used.items() if name in CJK_FAMILIES}
    assert cjk, f"{selector} rendered without any CJK font: {used}"


def _assert_fits_phone(page):
    """Nothing wider than the phone screen (no sideways scrolling)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the viewport"


def _zh(app, message):
    """`message` as the app shows it by default (zh_CN catalogue, English if untranslated)."""
    with app.test_request_context("/"):
        return str(message) if not isinstance(message, str) else gettext(message)


def test_anonymous_tip_off_with_photo_then_follow_up(app, live_server, browser_page, screenshot, tmp_path):
    page = browser_page
    # Script errors, CSP violations and failed sub-resources; the browser's own /favicon.ico
    # probe is ignored (the app has no favicon, which is harmless).
    problems = []

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"console error: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    photo = tmp_path / PHOTO_NAME
    photo.write_bytes(jpeg_with_gps())

    # 1-2. The intake form, filled in Chinese.
    response = page.goto(f"{live_server}/report/new")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == _zh(app, "File a report")

    page.check("input[name=kind][value=tip]")
    category = page.locator("select[name=category] option", has_text="餐饮服务")
    page.select_option("select[name=category]", value=category.get_attribute("value"))
    page.select_option("select[name=district]", label="西湖区")
    page.fill("input[name=business_name]", BUSINESS)
    page.fill("input[name=business_address]", "文三路 88 号")
    page.fill("textarea[name=description]", DESCRIPTION)
    page.fill("input[name=occurred_on]", (date.today() - timedelta(days=3)).isoformat())
    page.check("input[name=identity][value=anonymous]")
    page.set_input_files("input[name=evidence]", str(photo))
    assert page.locator("input[name=kind][value=tip]").is_checked()
    assert page.locator("input[name=wants_reward]").is_checked() is False
    _assert_chinese_renders(page, "label[for=kind-1]", "举报餐饮服务")
    _assert_fits_phone(page)
    page.locator("input[name=occurred_on]").blur()  # no focus ring in the screenshot
    screenshot("01-form")

    with page.expect_navigation() as navigation:
        page.click("form[data-once] button[data-send]")
    assert navigation.value.status == 200, page.locator("main").inner_text()

    # 3. The receipt: number and access key, shown once.
    number = page.locator("#receipt-number").inner_text().strip()
    key = page.locator("#receipt-key").inner_text().strip()
    assert NUMBER.match(number), number
    assert ACCESS_KEY.match(key), key
    assert page.locator("h1").inner_text() == _zh(app, "Your tip-off has been received")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    report = db.session.scalars(select(Report)).one()
    department = report.department.name
    assert HAN.search(department), department
    assert department in page.locator("main").inner_text()
    _assert_chinese_renders(page, "main > p", department)
    _assert_fits_phone(page)
    screenshot("02-receipt")

    # 4. Following the report with the receipt.
    page.goto(f"{live_server}/track")
    page.fill("input[name=number]", number)
    page.fill("input[name=access_key]", key)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url == f"{live_server}/track/status"
    assert number in page.locator("h1").inner_text()
    submitted = public_state_text(Kind.TIP, State.SUBMITTED)
    assert page.locator("#report-state").inner_text() == _zh(app, submitted)
    assert page.locator("#report-department").inner_text() == department
    entries = page.locator("#timeline > li")
    assert entries.count() == 1
    assert _zh(app, RECEIVED[Kind.TIP]) in entries.first.inner_text()
    assert page.locator("#evidence-list > li").all_inner_texts() == [PHOTO_NAME]
    details = page.locator("#report-facts").inner_text()
    assert "餐饮服务" in details and BUSINESS in details
    _assert_chinese_renders(page, "#evidence-list > li", "现场照片餐饮")
    _assert_fits_phone(page)
    screenshot("03-status")

    # 5. What was stored: one report, one photo with its EXIF/GPS removed.
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
    report = db.session.scalars(select(Report)).one()
    assert (report.number, report.kind, report.anonymous) == (number, "tip", True)
    assert (report.business_name, report.description) == (BUSINESS, DESCRIPTION)
    assert report.category.name == "餐饮服务" and report.region.name == "西湖区"
    evidence = db.session.scalars(select(Evidence).where(Evidence.report_id == report.id)).all()
    assert [(e.original_name, e.metadata_stripped) for e in evidence] == [(PHOTO_NAME, True)]

    assert problems == []


def test_complaint_with_a_linked_tip_off_to_one_receipt_and_both_tracks(
    app, live_server, browser_page, screenshot
):
    """A complaint that also reports a violation: two numbers on one receipt, one key for both,
    and the status page shows the other track and switches to it."""
    page = browser_page
    page.goto(f"{live_server}/report/new")
    page.check("input[name=kind][value=complaint]")
    assert page.locator("[data-complaint-only]").is_visible() and page.locator("[data-tip-only]").is_hidden()
    category = page.locator("select[name=category] option", has_text="餐饮服务")
    page.select_option("select[name=category]", value=category.get_attribute("value"))
    page.select_option("select[name=district]", label="西湖区")
    page.fill("input[name=business_name]", BUSINESS)
    page.fill("input[name=business_address]", "文三路 88 号")
    page.fill("textarea[name=description]", DESCRIPTION)
    page.check("input[name=demand][value=refund]")
    page.fill("input[name=demand_amount]", "128.50")
    page.check("input[name=also_tip]")
    page.check("input[name=identity][value=real_name]")
    page.fill("input[name=reporter_name]", "王小明")
    page.fill("input[name=reporter_phone]", "13912345678")
    page.fill("input[name=reporter_address]", "杭州市西湖区文三路 100 号")
    with page.expect_navigation() as navigation:
        page.click("form[data-once] button[data-send]")
    assert navigation.value.status == 200, page.locator("main").inner_text()

    number = page.locator("#receipt-number").inner_text().strip()
    tip_number = page.locator("#receipt-linked-number").inner_text().strip()
    key = page.locator("#receipt-key").inner_text().strip()
    assert re.match(r"^TS-\d{4}-\d{6}$", number) and NUMBER.match(tip_number) and ACCESS_KEY.match(key)
    _assert_fits_phone(page)
    screenshot("04-linked-receipt")

    page.goto(f"{live_server}/track")
    page.fill("input[name=number]", tip_number)  # the key opens either report
    page.fill("input[name=access_key]", key)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert tip_number in page.locator("h1").inner_text()
    assert page.locator("#linked-number").inner_text() == number
    assert page.locator("#linked-state").inner_text() == _zh(
        app, public_state_text(Kind.COMPLAINT, State.SUBMITTED)
    )
    _assert_fits_phone(page)
    screenshot("05-linked-status")
    with page.expect_navigation():
        page.click("#linked-report button[type=submit]")
    assert number in page.locator("h1").inner_text()
    assert page.locator("#linked-number").inner_text() == tip_number
    kinds = dict(db.session.execute(select(Report.number, Report.kind)).all())
    assert kinds == {number: "complaint", tip_number: "tip"}


def test_too_large_file_is_caught_before_sending_and_nothing_typed_is_lost(
    app, live_server, browser_page, tmp_path
):
    """app.js warns about a file over the limit instead of letting the server answer 413."""
    app.config["MAX_FILE_MB"] = 1
    page = browser_page
    big = tmp_path / "录像.mp4"
    big.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (2 * 1024 * 1024))
    page.goto(f"{live_server}/report/new")

    # Real-name details appear only for real-name reports; the reward box only for tip-offs.
    assert page.locator("[data-real-name]").is_hidden()
    page.check("input[name=identity][value=real_name]")
    assert page.locator("[data-real-name]").is_visible()
    page.check("input[name=kind][value=complaint]")
    assert page.locator("[data-tip-only]").is_hidden()
    page.check("input[name=kind][value=tip]")
    assert page.locator("[data-tip-only]").is_visible()

    page.fill("textarea[name=description]", DESCRIPTION)
    page.set_input_files("input[name=evidence]", str(big))
    warning = page.locator("[data-upload-warning]")
    assert warning.is_visible() and "MB" in warning.inner_text()
    page.click("form[data-once] button[data-send]")
    page.wait_for_timeout(300)
    assert page.url == f"{live_server}/report/new"  # not sent
    assert page.locator("textarea[name=description]").input_value() == DESCRIPTION
    assert page.locator("form[data-once] button[data-send]").is_enabled()  # can fix and resend
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def _fill_valid_tip(page):
    page.check("input[name=kind][value=tip]")
    category = page.locator("select[name=category] option", has_text="餐饮服务")
    page.select_option("select[name=category]", value=category.get_attribute("value"))
    page.select_option("select[name=district]", label="西湖区")
    page.fill("input[name=business_name]", BUSINESS)
    page.fill("textarea[name=description]", DESCRIPTION)
    page.check("input[name=identity][value=real_name]")
    page.fill("input[name=reporter_name]", "王小明")
    page.fill("input[name=reporter_phone]", "13912345678")


def _complete_complaint(page):
    """What a complaint needs beyond a real-name tip-off: addresses and a demand."""
    page.fill("input[name=business_address]", "文三路 88 号")
    page.fill("input[name=reporter_address]", "杭州市西湖区文三路 100 号")
    page.check("input[name=demand][value=repair]")


def test_switching_a_tip_with_reward_to_a_complaint_clears_the_hidden_reward_box(
    app, live_server, browser_page
):
    """The reward box hides for complaints; a tick left in it would be refused out of sight."""
    page = browser_page
    page.goto(f"{live_server}/report/new")
    _fill_valid_tip(page)
    page.check("input[name=wants_reward]")
    page.check("input[name=kind][value=complaint]")
    assert page.locator("[data-tip-only]").is_hidden()
    assert page.locator("input[name=wants_reward]").is_checked() is False
    _complete_complaint(page)
    with page.expect_navigation() as navigation:
        page.click("form[data-once] button[data-send]")
    assert navigation.value.status == 200, page.locator("main").inner_text()
    report = db.session.scalars(select(Report)).one()
    assert (report.kind, report.wants_reward) == ("complaint", False)


def test_an_error_in_a_hidden_box_is_shown_in_the_summary_and_its_box(app, live_server, browser_page):
    """If a refused tick reaches the server anyway (a script changed the kind without a change
    event), the error is listed at the top and its box is not hidden."""
    page = browser_page
    page.goto(f"{live_server}/report/new")
    _fill_valid_tip(page)
    page.check("input[name=wants_reward]")
    page.evaluate("document.querySelector('input[name=kind][value=complaint]').checked = true")
    with page.expect_navigation() as navigation:
        page.click("form[data-once] button[data-send]")
    assert navigation.value.status == 422
    message = _zh(app, "Rewards are only for tip-offs. Untick the box or choose tip-off.")
    summary = page.locator("#error-summary")
    assert message in summary.inner_text()
    summary.locator("a[href='#wants_reward']").click()
    assert page.locator("[data-tip-only]").is_visible()
    assert page.locator("input[name=wants_reward]").is_checked()
    assert page.locator("textarea[name=description]").input_value() == DESCRIPTION
    # Choosing complaint again clears the tick and the error goes with it.
    page.check("input[name=kind][value=tip]")
    page.check("input[name=kind][value=complaint]")
    assert page.locator("[data-tip-only]").is_hidden()
    page.check("input[name=kind][value=tip]")  # back again: unticked, and no stale message
    assert page.locator("[data-tip-only] .invalid-feedback").count() == 0
    assert page.locator("input[name=wants_reward]").is_checked() is False
    page.check("input[name=kind][value=complaint]")
    _complete_complaint(page)
    with page.expect_navigation() as navigation:
        page.click("form[data-once] button[data-send]")
    assert navigation.value.status == 200, page.locator("main").inner_text()
    assert db.session.scalars(select(Report)).one().wants_reward is False
