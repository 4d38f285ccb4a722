"""Reward policies ship as data, are looked up by date, and are only ever added to."""

import json
import shutil
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.directory.loader import DATA_DIR, ReferenceDataError, load_reference_data
from portal.extensions import db
from portal.rewards.models import RewardPolicy
from portal.rewards.policies import policy_by_version, policy_in_force

NEW_VERSION = {
    "version": "ZJ-2027",
    "effective_from": "2027-01-01",
    "level1_rate": "0.06",
    "level1_floor": "6000",
    "level2_rate": "0.03",
    "level2_floor": "3000.00",
    "level3_rate": "0.01",
    "level3_floor": "1000.00",
    "case_cap": "1000000.00",
    "signoff_threshold": "500000.00",
    "insider_max_multiplier": "2",
    "major_threshold": "200000.00",
    "claim_working_days": "30",
    "source": "浙江省实施细则（示例）",
}


def advice(app, code):
    from portal.site.messages import report_error_text

    with app.test_request_context("/admin/"):
        return str(report_error_text(code))


def test_the_default_policy_is_design_section_6_and_a_reload_changes_nothing(app):
    policy = policy_in_force(date(2026, 6, 1))
    assert policy.version == "SAMR-2021-4"
    assert [(policy.rate(n), policy.floor(n)) for n in (1, 2, 3)] == [
        (Decimal("0.05"), Decimal("5000.00")),
        (Decimal("0.03"), Decimal("3000.00")),
        (Decimal("0.01"), Decimal("1000.00")),
    ]
    assert (policy.case_cap, policy.signoff_threshold) == (Decimal("1000000.00"), Decimal("500000.00"))
    assert (policy.insider_max_multiplier, policy.major_threshold) == (Decimal("2.00"), Decimal("100000.00"))
    assert policy.claim_working_days == 30
    assert policy_in_force(date(2021, 11, 30)) is None  # before the measures took effect
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert load_reference_data()["changes"] == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_data_file_that_contradicts_the_stored_version_is_refused(app, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    document = json.loads((data / "reward_policies.json").read_text(encoding="utf-8"))
    document["items"][0]["levels"]["2"]["rate"] = "0.04"
    (data / "reward_policies.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as refused:
        load_reference_data(data_dir=data)
    assert "SAMR-2021-4" in str(refused.value) and "never edited" in str(refused.value)
    db.session.rollback()
    assert policy_by_version("SAMR-2021-4").level2_rate == Decimal("0.03")


def test_an_administrator_adds_a_version_and_the_old_one_ends_the_day_before(app, client, login_as):
    login_as("admin")
    form = client.get("/admin/rewards/policies?lang=en").get_data(as_text=True)
    assert 'value="0.05"' in form  # the form starts from the terms in force
    response = client.post("/admin/rewards/policies", data=NEW_VERSION)
    assert response.status_code == 302
    db.session.expire_all()
    old, new = policy_by_version("SAMR-2021-4"), policy_by_version("ZJ-2027")
    assert old.effective_to == date(2026, 12, 31) and old.level1_rate == Decimal("0.05")
    assert (new.level1_rate, new.level1_floor, new.major_threshold) == (
        Decimal("0.06"),
        Decimal("6000.00"),
        Decimal("200000.00"),
    )
    assert policy_in_force(date(2026, 12, 31)).version == "SAMR-2021-4"
    assert policy_in_force(date(2027, 1, 1)).version == "ZJ-2027"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reward_policy.added"))
    assert event.object_id == new.id and event.data["level1_rate"] == "0.06"
    listing = client.get("/admin/rewards/policies").get_data(as_text=True)
    assert 'data-version="ZJ-2027"' in listing and 'data-version="SAMR-2021-4"' in listing


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"effective_from": "2021-12-01", "version": "EARLY"}, "policy_not_later"),
        ({"version": "SAMR-2021-4", "effective_from": "2030-01-01"}, "policy_version_taken"),
        ({"level1_rate": "5"}, "policy_invalid"),
        ({"level2_floor": "3000.001"}, "policy_invalid"),
        ({"insider_max_multiplier": "0.5"}, "policy_invalid"),
    ],
)
def test_a_version_that_is_not_later_or_not_valid_is_refused(app, client, login_as, change, code):
    login_as("admin")
    response = client.post("/admin/rewards/policies", data=NEW_VERSION | change)
    assert response.status_code == 409
    assert advice(app, code) in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.session.scalar(select(func.count()).select_from(RewardPolicy)) == 1


@pytest.mark.parametrize("role,dept", [("staff", "market"), ("lead", "market"), ("finance", None)])
def test_only_administrators_change_the_policy(client, login_as, role, dept):
    login_as(role, dept)
    assert client.get("/admin/rewards/policies").status_code == 403
    assert client.post("/admin/rewards/policies", data=NEW_VERSION).status_code == 403
    assert policy_by_version("ZJ-2027") is None
