"""The case page: content per role, masked identity and audited reveals, evidence downloads,
internal notes that citizens never see, and 404 for another department on every URL."""

import hashlib

from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.evidence.storage import stored_path
from portal.extensions import db
from tests.casework import OTHER, OWN, file_report, photo_and_pdf


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def page(client, number, **args):
    response = client.get(f"/admin/reports/{number}", query_string={"lang": "en"} | args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_case_page_shows_business_facts_and_demand_with_identity_masked(client, login_as):
    report, _ = file_report(OWN, kind="complaint", description="买的蛋糕发霉了，要求退款。")
    login_as(Role.STAFF, OWN)
    html = page(client, report.number)
    assert "老街坊餐馆" in html and "买的蛋糕发霉了" in html and "128.50" in html
    assert "王**" in html and "139****5678" in html
    assert "王小明" not in html and "13912345678" not in html
    assert events("reporter.revealed") == []


def test_reveal_shows_the_identity_once_and_audits_who_and_which_report(client, login_as):
    report, _ = file_report(OWN, kind="complaint")
    login_as(Role.STAFF, OWN)
    response = client.post(f"/admin/reports/{report.number}/reveal")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "王小明" in html and "13912345678" in html
    [event] = events("reporter.revealed")
    assert (event.object_id, event.actor_label, event.data) == (
        report.id,
        f"staff:staff-{OWN}",
        {"number": report.number},
    )
    assert "王小明" not in page(client, report.number)  # masked again on the next visit


def test_an_anonymous_reporter_is_never_revealed(client, login_as):
    report, _ = file_report(OWN, contact_email="tipster@example.org")
    login_as(Role.LEAD, OWN)
    html = page(client, report.number)
    assert "Anonymous" in html and "tipster" not in html and "Show identity" not in html
    client.post(f"/admin/reports/{report.number}/reveal")
    followed = page(client, report.number)
    assert "This reporter is anonymous: there is no identity to show." in followed
    assert "tipster" not in followed and events("reporter.revealed") == []


def test_auditor_reads_every_department_but_changes_nothing(client, login_as):
    report, _ = file_report(OTHER, kind="complaint")
    login_as(Role.AUDITOR)
    html = page(client, report.number)
    assert "王**" in html and "Save note" not in html
    assert client.post(f"/admin/reports/{report.number}/notes", data={"body": "x"}).status_code == 404


def test_evidence_downloads_images_inline_others_as_attachments_audited(client, login_as):
    report, _ = file_report(OWN, files=photo_and_pdf())
    photo, pdf = report.evidence
    login_as(Role.STAFF, OWN)
    html = page(client, report.number)
    assert photo.sha256 in html and pdf.sha256 in html
    image = client.get(f"/admin/reports/{report.number}/evidence/{photo.id}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(image.data).hexdigest() == photo.sha256
    document = client.get(f"/admin/reports/{report.number}/evidence/{pdf.id}")
    assert document.headers["Content-Disposition"].startswith("attachment")
    assert document.headers["X-Content-Type-Options"] == "nosniff"
    audited = [
        (e.data["evidence_id"], e.data["sha256"], e.actor_label) for e in events("evidence.downloaded")
    ]
    assert audited == [
        (photo.id, photo.sha256, f"staff:staff-{OWN}"),
        (pdf.id, pdf.sha256, f"staff:staff-{OWN}"),
    ]
    assert stored_path(photo.storage_name).exists()


def test_another_department_gets_404_on_every_case_url(client, login_as):
    report, _ = file_report(OTHER, kind="complaint", files=photo_and_pdf())
    evidence = report.evidence[0]
    login_as(Role.LEAD, OWN)
    base = f"/admin/reports/{report.number}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/evidence/{evidence.id}").status_code == 404
    assert client.post(f"{base}/reveal").status_code == 404
    assert client.post(f"{base}/notes", data={"body": "看看"}).status_code == 404
    assert client.post(f"{base}/assign", data={"assignee": "none"}).status_code == 404
    assert events("evidence.downloaded") == [] and events("reporter.revealed") == []


def test_evidence_of_one_report_cannot_be_fetched_through_another(client, login_as):
    mine, _ = file_report(OWN)
    theirs, _ = file_report(OTHER, files=photo_and_pdf())
    login_as(Role.STAFF, OWN)
    assert client.get(f"/admin/reports/{mine.number}/evidence/{theirs.evidence[0].id}").status_code == 404


def test_notes_are_on_the_case_timeline_and_never_on_the_citizens_status_page(app, client, login_as):
    report, key = file_report(OWN)
    login_as(Role.STAFF, OWN)
    response = client.post(f"/admin/reports/{report.number}/notes", data={"body": "商家电话打不通，明天再试"})
    assert response.status_code == 302
    assert "商家电话打不通，明天再试" in page(client, report.number)
    [event] = events("note.added")
    assert "商家电话" not in str(event.data)
    citizen = app.test_client()
    citizen.post("/track", data={"number": report.number, "access_key": key})
    status = citizen.get("/track/status")
    assert status.status_code == 200 and report.number in status.get_data(as_text=True)
    assert "商家电话打不通" not in status.get_data(as_text=True)


def test_a_refused_note_keeps_what_was_typed(client, login_as):
    report, _ = file_report(OWN)
    login_as(Role.STAFF, OWN)
    typed = "很长的备注" * 1001
    response = client.post(f"/admin/reports/{report.number}/notes?lang=en", data={"body": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A note can hold at most 5000 characters: shorten it." in html and typed in html
    assert events("note.added") == []


def test_lead_assigns_on_the_case_page_and_the_timeline_shows_it(client, login_as):
    from tests.conftest import make_user

    report, _ = file_report(OWN)
    colleague = make_user("li.staff", Role.STAFF, OWN)
    login_as(Role.LEAD, OWN)
    assert (
        client.post(f"/admin/reports/{report.number}/assign", data={"assignee": colleague.id}).status_code
        == 302
    )
    html = page(client, report.number)
    assert "Assigned to li.staff" in html
    db.session.expire_all()
    assert report.assignee_id == colleague.id


def test_linked_track_links_to_its_case_page_when_visible(client, login_as):
    report, _ = file_report(OWN, kind="complaint", also_tip=True)
    login_as(Role.STAFF, OWN)
    html = page(client, report.number)
    assert f'href="/admin/reports/{report.linked_report.number}"' in html


def test_dashboard_links_into_the_queue_and_shows_a_lead_the_teams_load(client, login_as):
    from tests.conftest import make_user

    first, _ = file_report(OWN)
    file_report(OWN)
    colleague = make_user("li.staff", Role.STAFF, OWN)
    first.assignee = colleague
    db.session.commit()
    login_as(Role.LEAD, OWN)
    html = client.get("/admin/?lang=en").get_data(as_text=True)
    assert 'href="/admin/queue?kind=tip&amp;state=submitted"' in html
    assert '<tr data-user="li.staff"><td>li.staff</td><td class="text-end">1</td>' in html
    assert 'Not assigned yet</a></td><td class="text-end">1</td>' in html


def _timeline(html):
    """[(class, who, text, detail)] of the case page's timeline entries."""
    import re

    part = html[html.index('id="case-timeline"') :]
    part = part[: part.index("</ol>")]
    entries = []
    for kind, body in re.findall(r'<li class="[^"]*timeline-(\w+)">(.*?)</li>', part, re.S):
        lines = [
            re.sub(r"<[^>]+>", "", line).strip() for line in re.findall(r"<div[^>]*>(.*?)</div>", body, re.S)
        ]
        who = lines[0].split(" · ", 1)[1] if " · " in lines[0] else ""
        entries.append((kind, who, lines[1], lines[2] if len(lines) > 2 else ""))
    return entries


def test_timeline_names_the_citizen_in_words_and_the_routing_rule_by_what_it_covers(client, login_as):
    from portal.directory.models import Category
    from tests.conftest import lookup

    complaint, _ = file_report(OWN, kind="complaint")
    tip, _ = file_report(OWN)
    catering = lookup(Category, "food.catering").name_en
    login_as(Role.STAFF, OWN)
    html = page(client, complaint.number)
    state, routing = _timeline(html)
    assert state[:2] == ("state", "Complainant")
    # food.catering in 330105 goes to the city bureau by the rule "food-catering" (any region).
    assert routing == (
        "routing",
        "",
        f"Routed to {complaint.department.name_en}",
        f"Routing rule: {catering} · Any region",
    )
    assert "food-catering" not in html and "· reporter<" not in html
    assert _timeline(page(client, tip.number))[0][:2] == ("state", "Tip-off reporter")
