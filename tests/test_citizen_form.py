"""The form as citizens meet it: whose site this is, the personal-information notice, district
then street, what a failed submit tells assistive technology, the staged files' "keep" boxes, and
pages that name the report as the kind it is."""

import io
import re

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.directory.models import Region
from portal.extensions import db
from portal.reports.models import Report
from tests.conftest import IsolatedClient, _config, complaint_form, intake_form, lookup, png_bytes, receipt_in


def post(client, form, files=(), **kw):
    data = dict(form)
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/report/new", data=data, content_type="multipart/form-data", **kw)


def reports():
    return db.session.scalar(select(func.count()).select_from(Report))


def region_id(code):
    return str(lookup(Region, code).id)


def tag(page, pattern):
    """The first opening tag matching `pattern` (a regex inside the tag)."""
    found = re.search(rf"<[a-z]+[^>]*{pattern}[^>]*>", page)
    assert found, f"no tag with {pattern}"
    return found.group(0)


def attr(html_tag, name):
    found = re.search(rf'\s{name}="([^"]*)"', html_tag)
    return found.group(1) if found else None


# ---- whose site this is --------------------------------------------------------------------


BUREAU = {
    "BUREAU_NAME_ZH": "宁波市测试区市场监督管理局",
    "BUREAU_NAME_EN": "Ningbo Test District Market Regulation Bureau",
    "BUREAU_ADDRESS_ZH": "宁波市测试区测试路 9 号",
    "BUREAU_ADDRESS_EN": "9 Test Road, Ningbo",
    "BUREAU_HOTLINE": "0574-87654321",
    "PERSONAL_DATA_RETENTION_YEARS": 7,
}


@pytest.fixture
def bureau_client(database_url, tmp_path):
    app = create_app(_config(database_url, tmp_path) | BUREAU)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app.test_client()
        db.session.remove()
        db.engine.dispose()


def header_and_footer(page):
    header = re.search(r"<header.*?</header>", page, re.S).group(0)
    footer = re.search(r"<footer.*?</footer>", page, re.S).group(0)
    return header, footer


@pytest.mark.parametrize("path", ["/", "/report/new", "/track", "/privacy", "/no-such-page"])
def test_the_bureau_named_in_the_settings_heads_and_signs_every_citizen_page(bureau_client, path):
    zh = bureau_client.get(path).get_data(as_text=True)
    header, footer = header_and_footer(zh)
    assert "宁波市测试区市场监督管理局" in header
    assert "宁波市测试区市场监督管理局" in footer and "宁波市测试区测试路 9 号" in footer
    assert "0574-87654321" in footer and 'href="/privacy"' in footer
    en = bureau_client.get(path, query_string={"lang": "en"}).get_data(as_text=True)
    header, footer = header_and_footer(en)
    assert "Ningbo Test District Market Regulation Bureau" in header
    assert "9 Test Road, Ningbo" in footer and "宁波" not in header + footer


def test_the_default_bureau_is_the_demo_bureau_in_hangzhou(client):
    header, footer = header_and_footer(client.get("/").get_data(as_text=True))
    assert "杭州市示范区市场监督管理局" in header and "杭州市示范区市场监督管理局" in footer


@pytest.mark.parametrize("years", ["0", "-3", "three"])
def test_a_retention_period_that_is_not_a_number_of_years_refuses_to_start(monkeypatch, years, tmp_path):
    from portal.config import ConfigError

    monkeypatch.setenv("PORTAL_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3")
    monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.setenv("PERSONAL_DATA_RETENTION_YEARS", years)
    with pytest.raises(ConfigError, match="PERSONAL_DATA_RETENTION_YEARS"):
        create_app()


# ---- the personal-information notice -------------------------------------------------------


def test_the_personal_information_notice_comes_before_any_identity_field(bureau_client):
    page = bureau_client.get("/report/new", query_string={"lang": "en"}).get_data(as_text=True)
    notice = page.index('id="privacy-notice"')
    for name in ("identity", "reporter_name", "reporter_phone", "reporter_id_number", "contact_email"):
        assert notice < page.index(f'name="{name}"'), name
    text = re.search(r'id="privacy-notice".*?</section>', page, re.S).group(0)
    assert "What we collect" in text and "Who sees it" in text
    assert "How long: 7 years after the report is closed" in text  # the setting, not a constant
    assert 'href="/privacy" target="_blank"' in text  # reading it costs nothing typed


def test_the_full_notice_is_a_page_in_both_languages(bureau_client):
    en = bureau_client.get("/privacy", query_string={"lang": "en"})
    page = en.get_data(as_text=True)
    assert en.status_code == 200 and '<html lang="en">' in page
    assert "Ningbo Test District Market Regulation Bureau" in page and "0574-87654321" in page
    assert "kept for 7 years after the report is closed" in page
    zh = bureau_client.get("/privacy", query_string={"lang": "zh_CN"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in zh
    assert "宁波市测试区市场监督管理局" in zh and "宁波市测试区测试路 9 号" in zh


# ---- district first, then street -----------------------------------------------------------


def test_the_form_offers_districts_then_their_streets_grouped_by_district(client):
    page = client.get("/report/new").get_data(as_text=True)
    district = re.search(r'<select[^>]*name="district".*?</select>', page, re.S).group(0)
    street = re.search(r'<select[^>]*name="street".*?</select>', page, re.S).group(0)
    assert "西湖区" in district and "北山街道" not in district and "杭州市" not in district
    xihu = re.search(r'<optgroup label="西湖区">(.*?)</optgroup>', street, re.S).group(1)
    assert "北山街道" in xihu and "湖滨街道" not in xihu
    assert f'data-district="{region_id("330106")}"' in xihu  # what app.js narrows the list by


def test_a_street_chosen_with_its_district_files_the_report_under_the_street(client):
    response = post(client, intake_form(district=region_id("330106"), street=region_id("330106001")))
    assert response.status_code == 200, response.get_data(as_text=True)
    report = db.session.scalar(select(Report))
    assert report.region.code == "330106001"
    assert report.department.code == "market-330106"  # routed by the street's district rule


def test_a_district_alone_is_enough(client):
    response = post(client, intake_form(district=region_id("330108"), street=""))
    assert response.status_code == 200
    assert db.session.scalar(select(Report)).region.code == "330108"


def test_a_street_from_another_district_is_refused_and_nothing_is_lost(client):
    response = post(
        client,
        intake_form(
            district=region_id("330106"),
            street=region_id("330102002"),
            description="菜里有虫子，老板不肯退钱。",
        ),
        files=[("a.png", png_bytes())],
        query_string={"lang": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and reports() == 0
    street = re.search(r'id="street".*?(?=<div class="mb-3">|</fieldset>)', page, re.S).group(0)
    assert "This street or town is not in the district chosen above." in street
    assert "菜里有虫子，老板不肯退钱。" in page and "a.png" in page


@pytest.mark.parametrize("street", ["330106", "330100", "999999", "abc"])
def test_a_street_that_is_not_a_street_is_refused(client, street):
    value = region_id(street) if street.isdigit() and lookup(Region, street) else street
    response = post(
        client, intake_form(district=region_id("330106"), street=value), query_string={"lang": "en"}
    )
    assert response.status_code == 422 and reports() == 0
    assert "Choose a street or town from the list." in response.get_data(as_text=True)


def test_the_city_is_not_a_district(client):
    response = post(client, intake_form(district=region_id("330100")), query_string={"lang": "en"})
    assert response.status_code == 422 and reports() == 0
    assert "Choose a district or county from the list." in response.get_data(as_text=True)


def test_a_street_chosen_without_its_district_names_the_district(client):
    """Without JavaScript a citizen may skip the district and pick a street from its group."""
    response = post(client, intake_form(district="", street=region_id("330106001")))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert db.session.scalar(select(Report)).region.code == "330106001"


def test_the_status_page_shows_the_street_with_its_district(client):
    page = post(client, intake_form(district=region_id("330106"), street=region_id("330106001")))
    number, key = receipt_in(page.get_data(as_text=True))
    client.post("/track", data={"number": number, "access_key": key})
    status = client.get("/track/status").get_data(as_text=True)
    assert re.search(r'id="report-place">西湖区 · 北山街道<', status)
    english = client.get("/track/status?lang=en").get_data(as_text=True)
    assert re.search(r'id="report-place">Xihu District · Beishan Subdistrict<', english)


# ---- accessibility of a failed submit ------------------------------------------------------


def described_texts(page, html_tag):
    """The texts of the elements an aria-describedby names (each id must exist)."""
    texts = []
    for ident in (attr(html_tag, "aria-describedby") or "").split():
        found = re.search(rf'<[a-z]+[^>]*\sid="{ident}"[^>]*>(.*?)</div>', page, re.S)
        assert found, f"aria-describedby names a missing id {ident}"
        texts.append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip())
    return texts


def test_after_a_failed_submit_each_field_says_it_is_invalid_and_why(client):
    response = post(
        client,
        intake_form(kind="", business_name="", description="短", wants_reward="y", district=""),
        files=[("bad.jpg", b"MZ\x90\x00" + b"\x00" * 64)],
        query_string={"lang": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    text_input = tag(page, 'name="business_name"')
    assert attr(text_input, "aria-invalid") == "true"
    assert any("Enter the business name" in t for t in described_texts(page, text_input))
    textarea = tag(page, 'name="description"')
    assert attr(textarea, "aria-invalid") == "true"
    texts = described_texts(page, textarea)
    assert "Who, what, where and when." in texts[0]  # the help text first, then the error
    assert "Write between 10 and 5000 characters." in texts[1]
    select_ = tag(page, 'name="district"')
    assert attr(select_, "aria-invalid") == "true"
    assert "Choose the district or county." in described_texts(page, select_)
    checkbox = tag(page, 'name="wants_reward"')
    assert attr(checkbox, "aria-invalid") == "true"
    assert any("Rewards are only for tip-offs." in t for t in described_texts(page, checkbox))
    radios = re.findall(r'<input[^>]*name="kind"[^>]*>', page)
    assert radios and all(attr(r, "aria-invalid") == "true" for r in radios)
    assert "Choose complaint or tip-off." in " ".join(described_texts(page, tag(page, 'id="kind"')))
    upload = tag(page, 'name="evidence"')
    assert attr(upload, "aria-invalid") == "true"
    assert any("bad.jpg is not a supported file type" in t for t in described_texts(page, upload))
    # A field without a problem says nothing of the kind.
    assert attr(tag(page, 'name="business_address"'), "aria-invalid") is None


def test_after_a_failed_submit_the_error_summary_takes_the_focus_and_links_each_field(client):
    page = post(client, intake_form(business_name="", district=""), query_string={"lang": "en"}).get_data(
        as_text=True
    )
    summary = tag(page, 'id="error-summary"')
    assert "autofocus" in summary and attr(summary, "tabindex") == "-1"
    body = re.search(r'id="error-summary".*?</ul>', page, re.S).group(0)
    assert 'href="#business_name"' in body and 'href="#district"' in body
    assert page.count("autofocus") == 1


@pytest.mark.parametrize("path", ["/", "/report/new", "/track"])
def test_no_empty_alert_regions_on_load(client, path):
    page = client.get(path).get_data(as_text=True)
    assert 'role="alert"' not in page
    assert "autofocus" not in page  # a blank form starts at the top


# ---- the staged files' "keep" boxes --------------------------------------------------------


def staged_form(client, app, names):
    """Post a form that fails (no business name) with these files; return what its page carries."""
    files = [(n, png_bytes()) for n in names]
    page = post(client, intake_form(business_name=""), files=files, query_string={"lang": "en"}).get_data(
        as_text=True
    )
    staged = re.search(r'name="staged_evidence" type="hidden" value="([^"]+)"', page).group(1)
    boxes = re.findall(r'<input[^>]*name="keep_staged"[^>]*>', page)
    return page, staged, {re.search(r"Keep ([\w.]+)", page[page.index(b) :]).group(1): b for b in boxes}


def test_staged_files_are_listed_with_keep_boxes_ticked(client, app):
    page, _staged, boxes = staged_form(client, app, ["a.png", "b.png"])
    assert set(boxes) == {"a.png", "b.png"}
    assert all(" checked" in b for b in boxes.values())
    assert "tick to remove" not in page


def test_an_unticked_keep_box_removes_its_file_and_a_ticked_one_keeps_it(client, app):
    _page, staged, boxes = staged_form(client, app, ["a.png", "b.png"])
    keep = attr(boxes["b.png"], "value")
    response = post(client, intake_form(staged_evidence=staged, keep_staged_shown="1", keep_staged=keep))
    assert response.status_code == 200
    report = db.session.scalar(select(Report))
    assert [e.original_name for e in report.evidence] == ["b.png"]
    staging = app.config["EVIDENCE_DIR"] + "/staging"
    import os

    assert os.listdir(staging) == []  # the unticked file is gone, not orphaned


def test_unticking_every_box_removes_every_file(client, app):
    _page, staged, _boxes = staged_form(client, app, ["a.png"])
    response = post(client, intake_form(staged_evidence=staged, keep_staged_shown="1"))
    assert response.status_code == 200
    assert db.session.scalar(select(Report)).evidence == []


# ---- the report named as what it is --------------------------------------------------------


@pytest.mark.parametrize(
    "kind, noun, add",
    [("tip", "举报", "Add to the tip-off"), ("complaint", "投诉", "Add to the complaint")],
)
def test_the_status_page_names_the_report_by_its_kind(client, kind, noun, add):
    """Title, heading and the add-information form say 投诉 or 举报 (the timeline's wording
    belongs to the state history)."""
    form = complaint_form() if kind == "complaint" else intake_form(kind=kind)
    page = post(client, form).get_data(as_text=True)
    number, key = receipt_in(page)
    client.post("/track", data={"number": number, "access_key": key})
    status = client.get("/track/status").get_data(as_text=True)
    assert re.search(r"<title>(.*?)</title>", status, re.S).group(1).startswith(f"{noun} {number} · ")
    assert re.search(r'<h1 class="h3">(.*?)</h1>', status).group(1) == f"{noun} {number}"
    english = client.get("/track/status?lang=en").get_data(as_text=True)
    form = re.search(
        r'<h2 class="h5 mt-4">(.*?)</h2>.*?<button type="submit"[^>]*>(.*?)</button>', english, re.S
    )
    other = "complaint" if kind == "tip" else "tip-off"
    assert add in form.group(2) and other not in form.group(1) + form.group(2)


def test_a_failed_lookup_takes_the_focus_to_what_went_wrong(client):
    wrong = client.post("/track?lang=en", data={"number": "JB-2026-000001", "access_key": "AAAA-BBBB"})
    page = wrong.get_data(as_text=True)
    summary = tag(page, 'id="error-summary"')
    assert wrong.status_code == 404 and "autofocus" in summary
    assert "No report matches this number and access key." in page[page.index(summary) :]
    blank = client.post("/track?lang=en", data={"number": "", "access_key": ""}).get_data(as_text=True)
    assert "autofocus" in tag(blank, 'id="error-summary"')
    assert 'href="#number"' in blank and attr(tag(blank, 'name="number"'), "aria-invalid") == "true"
