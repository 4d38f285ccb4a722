"""Every citizen page, in both languages, measured with axe-core: no serious or critical
violation (GB/T 37668-2019 follows WCAG). Also what a failed submit does for keyboard and screen
reader users, and the district-then-street choice with scripts on and off.

axe-core comes from the npm registry (scripts/ensure-axe.sh, run by `make test`) into
.cache/axe; it is injected with Playwright. Screenshots: test-output/screenshots/axe-*.png.
"""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.directory.models import Category, Region
from portal.extensions import db
from portal.reports.models import Report
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, SCREENSHOTS
from tests.conftest import lookup

AXE = Path(__file__).resolve().parents[2] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = {"zh_CN": "zh-CN", "en": "en"}
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + n.failureSummary),
  }));
}"""


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run scripts/ensure-browser.sh (make test).", pytrace=False)
    if not AXE.exists():
        pytest.fail(f"{AXE} not found: run scripts/ensure-axe.sh (make test does).", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def phone(chromium):
    """phone(language, scripts=True): a phone-sized page. CSP is bypassed only so that axe can be
    injected (the journey tests keep the real policy and fail on any violation of it)."""
    contexts = []

    def open_page(language="zh_CN", scripts=True):
        context = chromium.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale=LANGUAGES[language],
            timezone_id="Asia/Shanghai",
            bypass_csp=True,
            java_script_enabled=scripts,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def assert_accessible(page, name):
    """No serious or critical axe violation on the page as it is now; a screenshot either way."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"axe-{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(RUN_AXE)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"{name}: {json.dumps(blocking, ensure_ascii=False, indent=1)}"


def choose(page, select, value):
    page.select_option(f"select[name={select}]", value=value)


def fill_tip(page):
    page.check("input[name=kind][value=tip]")
    choose(page, "category", str(lookup(Category, "food.catering").id))
    choose(page, "district", str(lookup(Region, "330106").id))
    choose(page, "street", str(lookup(Region, "330106001").id))
    page.fill("input[name=business_name]", "老街坊餐馆")
    page.fill("textarea[name=description]", "后厨卫生很差，员工不戴口罩直接用手处理熟食。")


def send(page):
    with page.expect_navigation() as navigation:
        page.click("form[data-once] button[data-send]")
    return navigation.value


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_citizen_page_passes_axe(app, live_server, phone, language):
    page = phone(language)
    page.goto(f"{live_server}/?lang={language}")
    assert page.locator("html").get_attribute("lang") == LANGUAGES[language]
    assert_accessible(page, f"{language}-1-home")

    page.goto(f"{live_server}/privacy")
    assert_accessible(page, f"{language}-2-privacy")

    page.goto(f"{live_server}/report/new")
    assert_accessible(page, f"{language}-3-form")

    # A failed submit: the summary has the focus, every field in error says so.
    assert send(page).status == 422
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("[aria-invalid=true]").count() >= 3
    assert_accessible(page, f"{language}-4-form-errors")

    fill_tip(page)
    assert send(page).status == 200
    number = page.locator("#receipt-number").inner_text().strip()
    key = page.locator("#receipt-key").inner_text().strip()
    assert_accessible(page, f"{language}-5-receipt")

    page.goto(f"{live_server}/track")
    assert_accessible(page, f"{language}-6-lookup")
    page.fill("input[name=number]", number)
    page.fill("input[name=access_key]", key)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url == f"{live_server}/track/status"
    assert_accessible(page, f"{language}-7-status")


def test_the_language_link_is_legible_and_shows_keyboard_focus(app, live_server, phone):
    page = phone()
    page.goto(f"{live_server}/")
    link = page.locator("header a[lang=en]")
    page.keyboard.press("Tab")  # the skip link first
    while not link.evaluate("a => a === document.activeElement"):
        page.keyboard.press("Tab")
    style = link.evaluate(
        "a => { const s = getComputedStyle(a); return [s.outlineStyle, s.outlineWidth, s.color]; }"
    )
    assert style[0] != "none" and style[1] != "0px", style
    assert style[2] == "rgb(255, 255, 255)", style


def test_with_scripts_the_street_list_narrows_to_the_chosen_district(app, live_server, phone):
    page = phone()
    page.goto(f"{live_server}/report/new")
    xihu, binjiang = lookup(Region, "330106"), lookup(Region, "330108")
    choose(page, "district", str(xihu.id))
    streets = page.locator("select[name=street] option").all_inner_texts()
    assert streets[1:] == ["北山街道", "西溪街道", "灵隐街道", "翠苑街道", "双浦镇"]
    choose(page, "district", str(binjiang.id))
    assert page.locator("select[name=street] option").all_inner_texts()[1:] == [
        "西兴街道",
        "长河街道",
        "浦沿街道",
    ]
    # No district yet: every street, grouped; choosing one picks its district.
    choose(page, "district", "")
    assert page.locator("select[name=street] optgroup").count() == 7
    choose(page, "street", str(lookup(Region, "330106003").id))
    assert page.locator("select[name=district]").input_value() == str(xihu.id)
    assert page.locator("select[name=street] option").count() == 6
    fill_tip(page)
    assert send(page).status == 200
    assert db.session.scalars(select(Report)).one().region.code == "330106001"


def test_without_scripts_the_grouped_street_list_still_files_the_street(app, live_server, phone):
    page = phone(scripts=False)
    page.goto(f"{live_server}/report/new")
    assert page.locator("select[name=street] optgroup").count() == 7  # all streets, by district
    fill_tip(page)
    page.check("input[name=identity][value=anonymous]")
    assert send(page).status == 200
    assert db.session.scalars(select(Report)).one().region.code == "330106001"
    # A street from another district is refused with the reason, and nothing typed is lost.
    page.goto(f"{live_server}/report/new")
    fill_tip(page)
    choose(page, "street", str(lookup(Region, "330102002").id))
    assert send(page).status == 422
    assert page.locator("#street").get_attribute("aria-invalid") == "true"
    assert page.locator("textarea[name=description]").input_value().startswith("后厨卫生很差")
    assert page.evaluate("document.activeElement.id") == "error-summary"  # autofocus, no script
