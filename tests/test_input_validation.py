"""What people (and broken clients) type is checked before it reaches the database (issue 5,
items 8, 14, 18, 19). Runs on SQLite and PostgreSQL: a NUL byte is a 500 only on PostgreSQL."""

import io
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from portal.clock import frozen_at
from portal.evidence.models import Evidence
from portal.extensions import db
from portal.reports.models import Report, Supplement
from tests.conftest import complaint_form, intake_form, make_user, pdf_bytes, png_bytes, receipt_in

CONTROL = "Remove the invisible control characters from this text (copied from another program?)."
REAL_NAME = dict(identity="real_name", reporter_name="王小明", reporter_phone="13912345678")


def post(client, form, files=(), **kw):
    data = dict(form)
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(
        "/report/new", data=data, content_type="multipart/form-data", query_string={"lang": "en"}, **kw
    )


def reports():
    return db.session.scalar(select(func.count()).select_from(Report))


def error_next_to(page, field_id):
    """The error messages rendered in the field's own block (after its input, before the next)."""
    block = re.search(rf'id="{field_id}"(.*?)(?=<div class="mb-3">|</form>)', page, re.S)
    assert block, f"no field {field_id}"
    return re.findall(r'class="invalid-feedback d-block" id="[^"]+">([^<]*)<', block.group(1))


# ---- control characters and out-of-range ids (item 8) -----------------------------------------


@pytest.mark.parametrize(
    "field, value, extra",
    [
        ("business_name", "老街坊\x00餐馆", {}),
        ("business_address", "文三路\x0088号", {}),
        ("business_licence", "91330100799655058B\x00", {}),
        ("description", "后厨卫生很差，员工不戴口罩\x00直接处理熟食。", {}),
        ("description", "后厨卫生很差，\x1b[31m员工不戴口罩直接处理熟食。", {}),
        ("reporter_name", "王\x00小明", REAL_NAME),
        ("reporter_phone", "1391234\x005678", REAL_NAME),
        ("reporter_id_number", "11010519491231002\x00", REAL_NAME),
        ("contact_email", "wang\x00@example.cn", {}),
    ],
)
def test_control_characters_are_refused_next_to_the_field_not_a_500(client, field, value, extra):
    response = post(client, intake_form(**extra) | {field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and reports() == 0
    assert CONTROL in error_next_to(page, field)


def test_line_breaks_and_tabs_stay_allowed_in_the_description(client):
    description = "第一行：后厨卫生很差。\r\n第二行：\t员工不戴口罩。"
    assert post(client, intake_form(description=description)).status_code == 200
    assert db.session.scalar(select(Report.description)) == description


def test_nul_in_the_tracking_number_or_key_is_refused_not_a_500(client):
    response = client.post("/track?lang=en", data={"number": "JB-2026-000001\x00", "access_key": "AB\x00CD"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert CONTROL in error_next_to(page, "number") and CONTROL in error_next_to(page, "access_key")


def test_nul_in_a_supplement_is_refused_and_its_file_kept(client):
    number, key = receipt_in(post(client, intake_form()).get_data(as_text=True))
    client.post("/track", data={"number": number, "access_key": key})
    body = "补充：\x00店家今天又卖过期牛奶。"
    response = client.post(
        "/track/status?lang=en",
        data={"body": body, "evidence": [(io.BytesIO(pdf_bytes()), "小票.pdf")]},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and CONTROL in error_next_to(page, "body")
    assert "小票.pdf" in page  # the file is received, not to be chosen again
    assert db.session.scalar(select(func.count()).select_from(Supplement)) == 0


def test_nul_in_the_staff_user_name_is_refused_not_a_500(client):
    make_user("clerk", "staff", "market-330106")
    response = client.post("/admin/login?lang=en", data={"username": "clerk\x00", "password": "x"})
    assert response.status_code != 500
    assert CONTROL in error_next_to(response.get_data(as_text=True), "username")


@pytest.mark.parametrize("value", [str(2**63), "9" * 400, str(2**31), "-1", "0", "1e3"])
@pytest.mark.parametrize("field", ["category", "district"])
def test_out_of_range_ids_are_refused_next_to_the_field(client, app, field, value):
    response = post(client, intake_form(**{field: value}), files=[("a.png", png_bytes())])
    page = response.get_data(as_text=True)
    expected = {"category": "Choose a category.", "district": "Choose the district or county."}[field]
    assert response.status_code == 422 and reports() == 0
    assert expected in error_next_to(page, field)
    assert "a.png" in page  # the file is kept for the corrected form, listed, not orphaned


def test_blanks_do_not_count_towards_the_minimum_length(client):
    response = post(client, intake_form(description=" " * 10 + "x", business_name="   "))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and reports() == 0
    assert "Write between 10 and 5000 characters." in error_next_to(page, "description")
    assert "Enter the business name, or what you know of it (e.g. its sign)." in error_next_to(
        page, "business_name"
    )


# ---- file names (item 8) ---------------------------------------------------------------------


def test_file_names_lose_bidi_overrides_and_control_characters(client):
    # U+202E makes "现场\u202egnp.exe" display as "现场exe.png".
    names = ["现场\u202egnp.exe", "发\x00票.pdf", "a\u2066b\u2069.png"]
    contents = [png_bytes(), pdf_bytes(), png_bytes((9, 9))]
    response = post(client, intake_form(), files=list(zip(names, contents, strict=True)))
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = sorted(db.session.scalars(select(Evidence.original_name)))
    assert stored == sorted(["现场gnp.exe", "发票.pdf", "ab.png"])


def test_a_file_without_a_name_is_kept_as_file(client):
    response = post(client, intake_form(), files=[("", png_bytes())])
    assert response.status_code == 200
    assert list(db.session.scalars(select(Evidence.original_name))) == ["file"]


def test_a_file_whose_name_broke_the_upload_is_reported_not_dropped(client):
    """A raw line break in the name ends the part's header: the file arrives as plain text."""
    response = post(client, intake_form(), files=[("现场\r\n照片.png", png_bytes())])
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and reports() == 0
    assert "A file arrived without its name and could not be read. Rename it and choose it again." in page


def test_an_encoded_line_break_in_a_file_name_becomes_a_space(client, app):
    boundary = "----b"
    fields = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in intake_form().items()
    )
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; '
        f"filename*=UTF-8''%E7%8E%B0%E5%9C%BA%0D%0Aa.png\r\nContent-Type: image/png\r\n\r\n"
    )
    body = fields.encode() + part.encode() + png_bytes() + f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/report/new", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert list(db.session.scalars(select(Evidence.original_name))) == ["现场 a.png"]


# ---- Beijing dates (item 14) -----------------------------------------------------------------


def test_todays_date_is_accepted_at_half_past_midnight_beijing_time(client):
    # 2030-03-01 00:30 in Beijing is still 2030-02-28 16:30 in UTC.
    with frozen_at(datetime(2030, 2, 28, 16, 30)):
        today = post(client, intake_form(occurred_on="2030-03-01"))
        tomorrow = post(client, intake_form(occurred_on="2030-03-02"))
    assert today.status_code == 200, today.get_data(as_text=True)
    assert "The date cannot be in the future." in error_next_to(
        tomorrow.get_data(as_text=True), "occurred_on"
    )


# ---- full-width input (item 18) --------------------------------------------------------------


def test_full_width_licence_id_and_phone_are_accepted_and_stored_plain(client):
    response = post(
        client,
        intake_form(
            business_licence="９１３３０１００７９９６５５０５８ｂ",
            identity="real_name",
            reporter_name="王小明",
            reporter_phone="０５７１－８７６５ ４３２１",
            reporter_id_number="１１０１０５１９４９１２３１００２ｘ",
        ),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    report = db.session.scalar(select(Report))
    assert report.business_licence == "91330100799655058B"
    assert report.primary_reporter.phone == "0571-87654321"
    assert report.primary_reporter.id_number == "11010519491231002X"


# ---- errors of hidden fields (item 19) -------------------------------------------------------


def test_every_field_error_is_listed_at_the_top_with_a_link_to_its_field(client):
    response = post(client, complaint_form(wants_reward="y", business_name=""))
    page = response.get_data(as_text=True)
    summary = re.search(r'<div class="alert alert-danger" id="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert response.status_code == 422 and summary
    items = [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", summary.group(1), re.S)
    ]
    assert items == [
        "Name of the business: Enter the business name, or what you know of it (e.g. its sign).",
        "I would like a reward if the tip-off leads to a penalty: "
        "Rewards are only for tip-offs. Untick the box or choose tip-off.",
    ]
    assert 'href="#wants_reward"' in summary.group(1) and 'href="#business_name"' in summary.group(1)
