"""The staff dashboard counts each track in its own states and words."""

import re

from portal.accounts.models import Role
from portal.audit.chain import SYSTEM
from portal.extensions import db
from portal.reports.operations import submit_report, transition_report
from portal.reports.receipts import new_submission_token
from portal.reports.states import STATES
from tests.conftest import make_intake


def test_dashboard_counts_each_track_in_its_own_states(client, login_as):
    for kind, target in (("complaint", "accepted"), ("complaint", None), ("tip", "verifying")):
        report = submit_report(make_intake(kind=kind), [], new_submission_token()).report
        if target:
            transition_report(report, target, SYSTEM)
    db.session.commit()
    login_as(Role.AUDITOR)
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    for kind, states in STATES.items():
        block = re.search(rf'id="state-counts-{kind}">(.*?)</tbody>', page, re.S).group(1)
        assert re.findall(r'data-state="(\w+)"', block) == list(states)
    complaint = re.search(r'id="state-counts-complaint">(.*?)</tbody>', page, re.S).group(1)
    assert re.search(r"Accepted; mediation will be arranged</a></td><td[^>]*>1<", complaint)
    assert "Mediation in progress" in complaint and "verified" not in complaint
    tip = re.search(r'id="state-counts-tip">(.*?)</tbody>', page, re.S).group(1)
    assert re.search(r"Being verified</a></td><td[^>]*>1<", tip)
