"""The deadline policies ship as data: loaded with the reference data, never edited by a reload."""

import json
import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.deadlines.policies import policy_in_force
from portal.directory.loader import DATA_DIR, ReferenceDataError, load_reference_data
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("app")


def test_the_defaults_of_the_2022_rules_are_loaded_and_a_reload_changes_nothing():
    accept, case = (
        policy_in_force("complaint.accept", date(2026, 6, 1)),
        policy_in_force("tip.case_conclusion", date(2026, 6, 1)),
    )
    assert (accept.working_days, accept.calendar_days) == (7, None)
    assert (case.calendar_days, case.extension_days) == (90, 30)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert load_reference_data()["changes"] == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_data_file_that_contradicts_a_stored_version_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    document = json.loads((data / "deadline_policies.json").read_text(encoding="utf-8"))
    document["items"][0]["working_days"] = 10
    (data / "deadline_policies.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as refused:
        load_reference_data(data_dir=data)
    assert "complaint.accept" in str(refused.value) and "never edited" in str(refused.value)
