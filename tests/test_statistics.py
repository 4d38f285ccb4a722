"""Public statistics (issue 12 item 2) and the published audit heads (item 7): the page and the
CSV show what the rows say, counted independently here; small cells are suppressed; a rewritten
history fails `flask audit verify --against`, naming the first bad head."""

import csv
import io
import json
from collections import Counter
from datetime import date, datetime
from types import SimpleNamespace

from sqlalchemy import func, select

from portal.audit.anchor import publish_head
from portal.audit.chain import SYSTEM
from portal.audit.hashing import event_hash, head_mac
from portal.audit.models import AuditEvent
from portal.clock import frozen_at, to_local
from portal.deadlines.calendar import Calendar
from portal.deadlines.models import ReportDeadline
from portal.directory.models import Region
from portal.extensions import db
from portal.reports.history import StateChange
from portal.reports.models import Report
from portal.reports.operations import transition_report
from portal.satisfaction.models import SatisfactionRating
from portal.satisfaction.operations import rate_report
from portal.security import audit_keys
from portal.statistics.models import COUNTS, StatsDaily, StatsDecisionDays, StatsMonthly
from portal.statistics.refresh import DECISION_CLOCKS, refresh_statistics
from tests.casework import OTHER, OWN, file_report
from tests.tamper import without_guard


def _csv(client):
    body = client.get("/statistics.csv").get_data(as_text=True).lstrip("\ufeff")
    return {(r["table"], r["row"], r["column"]): r["value"] for r in csv.DictReader(io.StringIO(body))}


def _world():
    """7 tip-offs in the own district (5 decided, 3 closed, 5 rated), 2 in the other district."""
    own = [file_report(OWN)[0] for _ in range(7)]
    other = [file_report(OTHER)[0] for _ in range(2)]
    for n, report in enumerate(own[:5]):
        transition_report(report, "verifying", SYSTEM)
        transition_report(report, "not_opened", SYSTEM, reason="查无实据")
        if n < 3:
            transition_report(report, "closed", SYSTEM)
    db.session.commit()
    for score, report in zip((5, 4, 4, 2, 1), own[:5], strict=True):
        rate_report(report, score)
    db.session.commit()
    return own, other


def test_page_and_csv_equal_counts_from_the_rows(app, client):
    own, _ = _world()
    refresh_statistics()
    db.session.commit()

    # Counted here from the rows, independently of the aggregate.
    received = db.session.scalar(select(func.count(Report.id)))
    closed = db.session.scalar(select(func.count(StateChange.id)).where(StateChange.to_state == "closed"))
    clocks = db.session.scalars(
        select(ReportDeadline).where(
            ReportDeadline.status == "met", ReportDeadline.policy_code.in_(DECISION_CLOCKS)
        )
    ).all()
    on_time = sum(to_local(c.met_at).date() <= c.due_on for c in clocks)
    assert (received, closed, len(clocks)) == (9, 3, 5)

    rows = _csv(client)
    assert rows[("overall", "", "received")] == str(received)
    assert rows[("overall", "", "closed")] == "<5"  # 3 closed: suppressed
    assert rows[("overall", "", "decided")] == str(len(clocks))
    assert rows[("overall", "", "on_time_share")] == str(round(100 * on_time / len(clocks)))
    assert rows[("overall", "", "rated")] == "5"
    assert rows[("overall", "", "average_rating")] == "3.2"
    assert rows[("overall", "", "median_days")] == "0"  # decided the day they arrived
    month = to_local(own[0].received_at).strftime("%Y-%m")
    assert rows[("month", month, "received")] == str(received)

    page = client.get("/statistics?lang=en").get_data(as_text=True)
    assert f'id="overall-received">{received}<' in page
    assert 'id="overall-rating">3.2<' in page
    assert 'id="table-region"' in page and "echarts.min.js" in page


def test_small_cells_and_their_complement_are_suppressed(app, client):
    _world()
    refresh_statistics()
    db.session.commit()
    rows = _csv(client)
    regions = {key[1]: value for key, value in rows.items() if key[0] == "region" and key[2] == "received"}
    # The other district has 2 reports (<5); the own district's 7 would give it back from the
    # total of 9, so it is suppressed too.
    assert sorted(regions.values()) == ["<5", "<5"]
    assert rows[("overall", "", "received")] == "9"


def test_refresh_is_incremental_and_counts_each_report_once(app, client):
    for _ in range(5):
        file_report(OWN)
    refresh_statistics()
    db.session.commit()
    refresh_statistics()  # nothing new: the same numbers
    db.session.commit()
    assert _csv(client)[("overall", "", "received")] == "5"
    file_report(OWN)
    refresh_statistics()
    db.session.commit()
    assert _csv(client)[("overall", "", "received")] == "6"


def _rewrite_from(seq):
    """Rewrite history as an insider holding AUDIT_KEYS would: change event `seq`, re-hash and
    re-link every later event and re-seal the head (verify_chain alone then finds nothing)."""
    keys = audit_keys()
    events = db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.seq)).all()
    prev, statements = None, []
    for row in events:
        ev = SimpleNamespace(**row._mapping)
        if ev.seq < seq:
            prev = ev.hash
            continue
        if ev.seq == seq:
            ev.data = {**ev.data, "rewritten": True}
        ev.prev_hash = prev if prev is not None else ev.prev_hash
        ev.hash = event_hash(ev, keys.get(ev.key_id))
        prev = ev.hash
        data = json.dumps(ev.data, ensure_ascii=False).replace("'", "''")
        statements.append(
            f"UPDATE audit_events SET data = '{data}', prev_hash = '{ev.prev_hash}', hash = '{ev.hash}' "
            f"WHERE seq = {ev.seq}"
        )
    statements.append(
        f"UPDATE audit_chain_head SET last_hash = '{prev}', "
        f"mac = '{head_mac(len(events), prev, keys.current)}', "
        f"key_id = '{keys.current_id}'"
    )
    without_guard(*statements, tables=("audit_events", "audit_chain_head"))


def test_published_heads_catch_a_rewritten_history(app, runner):
    file_report(OWN)
    first = publish_head(date(2026, 1, 1))
    assert publish_head(date(2026, 1, 1)) is None  # once a day
    file_report(OWN)
    second = publish_head(date(2026, 1, 2))
    assert second["length"] > first["length"] > 0
    path = app.config["AUDIT_HEADS_FILE"]
    result = runner.invoke(args=["audit", "verify", "--against", path])
    assert result.exit_code == 0, result.output
    assert "2 published heads found" in result.output

    _rewrite_from(first["length"])
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # the chain alone looks fine
    result = runner.invoke(args=["audit", "verify", "--against", path])
    assert result.exit_code == 1
    assert "head 1 (2026-01-01" in result.output and "rewritten" in result.output


def test_an_edited_heads_file_is_refused(app, runner):
    file_report(OWN)
    publish_head(date(2026, 1, 1))
    path = app.config["AUDIT_HEADS_FILE"]
    with open(path, encoding="utf-8") as f:
        line = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(line.replace('"length": ', '"length": 1'))
    result = runner.invoke(args=["audit", "verify", "--against", path])
    assert result.exit_code == 1 and "signature does not match" in result.output


def test_the_sweep_refreshes_and_publishes_and_the_page_shows_the_head(app, client):
    from portal.deadlines.sweep import sweep_deadlines

    for _ in range(5):
        file_report(OWN)
    result = sweep_deadlines()
    db.session.commit()
    assert result.head_published is not None and result.stats_days is not None
    page = client.get("/statistics?lang=en").get_data(as_text=True)
    assert f'id="audit-head-hash">{result.head_published["head"]}<' in page
    assert 'id="overall-received">5<' in page
    assert sweep_deadlines().head_published is None  # once a day


def _rows_of(model):
    table = model.__table__
    return [tuple(r) for r in db.session.execute(select(table).order_by(*table.primary_key))]


def _aggregate():
    """Every row of the aggregate (days, their monthly sums, decision days), as tuples."""
    return _rows_of(StatsDaily), _rows_of(StatsMonthly), _rows_of(StatsDecisionDays)


def _counted_from_the_rows():
    """The aggregate's cells and histogram, counted here row by row in Python (the refresh
    groups in SQL): every report, closing, decision clock and rating, on its Beijing day."""
    calendar = Calendar()
    regions = {r.id: r for r in db.session.scalars(select(Region))}
    cells, histogram = {}, Counter()

    def cell(day, report):
        region = regions[report.region_id]
        while region.level > 2:
            region = regions[region.parent_id]
        key = (day, report.kind, report.category_id, region.id)
        return cells.setdefault(key, dict.fromkeys(COUNTS, 0))

    for report in db.session.scalars(select(Report)):
        cell(to_local(report.received_at).date(), report)["received"] += 1
        for change in report.state_changes:
            if change.to_state == "closed":
                cell(change.local_date, report)["closed"] += 1
    for clock in db.session.scalars(select(ReportDeadline).where(ReportDeadline.status == "met")):
        if clock.policy_code in DECISION_CLOCKS:
            day = to_local(clock.met_at).date()
            days = max(0, calendar.working_days_between(clock.starts_on, day))
            counts = cell(day, clock.report)
            counts["decided"] += 1
            counts["on_time"] += day <= clock.due_on
            counts["decision_days"] += days
            histogram[(day, clock.report.kind, days)] += 1
    for rating in db.session.scalars(select(SatisfactionRating)):
        counts = cell(rating.local_date, rating.report)
        counts["rated"] += 1
        counts["rating_sum"] += rating.score
    daily = sorted((*key, *(counts[c] for c in COUNTS)) for key, counts in cells.items())
    months = {}
    for (day, *key), counts in cells.items():
        month = months.setdefault((day.replace(day=1), *key), dict.fromkeys(COUNTS, 0))
        for column in COUNTS:
            month[column] += counts[column]
    monthly = sorted((*key, *(counts[c] for c in COUNTS)) for key, counts in months.items())
    return daily, monthly, sorted((*key, n) for key, n in histogram.items())


def test_full_refresh_equals_the_incremental_ones_and_the_rows(app):
    """Three days of events, each refreshed incrementally by the sweep's call; then a full
    rebuild. Both equal the counts made here from the rows, on SQLite and PostgreSQL alike."""
    with frozen_at(datetime(2026, 3, 2, 2, 0)):  # 10:00 in Beijing
        own = [file_report(OWN)[0] for _ in range(4)]
        other = [file_report(OTHER)[0] for _ in range(2)]
    with frozen_at(datetime(2026, 3, 2, 17, 30)):  # 01:30 on 3 March in Beijing: the next day
        own.append(file_report(OWN)[0])
        refresh_statistics()
        db.session.commit()
    with frozen_at(datetime(2026, 3, 4, 3, 0)):
        for report in own[:3] + other[:1]:
            transition_report(report, "verifying", SYSTEM)
            transition_report(report, "not_opened", SYSTEM, reason="查无实据")
        transition_report(own[0], "closed", SYSTEM)
        transition_report(other[0], "closed", SYSTEM)
        db.session.commit()
        rate_report(own[0], 5)
        rate_report(other[0], 2)
        rate_report(own[1], 4)
        db.session.commit()
        refresh_statistics()
        db.session.commit()
    with frozen_at(datetime(2026, 4, 10, 8, 0)):  # after the 15 working days: decided late
        transition_report(own[3], "verifying", SYSTEM)
        transition_report(own[3], "not_opened", SYSTEM, reason="查无实据")
        transition_report(own[3], "closed", SYSTEM)
        transition_report(own[1], "closed", SYSTEM)
        db.session.commit()
        rate_report(own[3], 1)
        file_report(OTHER)
        refresh_statistics()
        db.session.commit()
        incremental = _aggregate()
        refresh_statistics(full=True)
        db.session.commit()
        full = _aggregate()
    expected = _counted_from_the_rows()
    assert full == incremental
    assert full == expected
    daily, monthly, histogram = expected
    assert {row[0] for row in monthly} == {date(2026, 3, 1), date(2026, 4, 1)}
    # The data meant what the test says: the late decision is in, and so is the 01:30 report.
    assert sum(row[4] for row in daily) == 8 and sum(row[6] for row in daily) == 5
    assert sum(row[7] for row in daily) == 4  # on time: all but own[3]
    assert sum(row[9] for row in daily) == 4 and sum(row[10] for row in daily) == 12
    assert any(row[0] == date(2026, 3, 3) and row[4] == 1 for row in daily)
    assert len({row[2] for row in histogram}) >= 2  # decisions of 0 days and of many
