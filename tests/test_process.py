""""What happens to my report" (issue 12 item 8): the limits come from the policies in force."""

from datetime import timedelta

from portal.audit.chain import SYSTEM
from portal.clock import local_today
from portal.deadlines.policies import add_policy_version
from portal.extensions import db


def test_process_page_reads_the_limits_in_force_and_search_finds_the_section(app, client):
    page = client.get("/process?lang=en").get_data(as_text=True)
    assert "within 7 working days of receiving it" in page
    found = client.get("/process?lang=en&q=mediation").get_data(as_text=True)
    assert 'id="process-results"' in found and 'href="#complaint"' in found and 'href="#tip"' not in found
    nothing = client.get("/process?lang=en&q=zzzz").get_data(as_text=True)
    assert 'id="process-nothing"' in nothing
    home = client.get("/?lang=en").get_data(as_text=True)
    assert 'action="/process"' in home and 'href="/statistics"' in home


def test_a_new_policy_version_changes_the_page(app, client):
    from portal.clock import frozen_at, utcnow

    start = local_today() + timedelta(days=1)
    add_policy_version("complaint.accept", start, SYSTEM, working_days=10, source="测试")
    db.session.commit()
    with frozen_at(utcnow() + timedelta(days=2)):
        page = client.get("/process?lang=en").get_data(as_text=True)
    assert "within 10 working days of receiving it" in page
