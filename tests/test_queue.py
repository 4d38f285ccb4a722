"""The department queue: filters, search (Chinese words by character pairs, number, licence),
keyset pages, bulk assign."""

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.audit.chain import SYSTEM
from portal.audit.models import AuditEvent
from portal.clock import frozen_at
from portal.directory.models import Category, Region
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.operations import transition_report
from tests.casework import OTHER, OWN, file_report
from tests.conftest import lookup, make_user


def numbers(page):
    return re.findall(r'<tr data-number="([A-Z]{2}-\d{4}-\d{6})"', page)


def queue(client, **args):
    response = client.get("/admin/queue", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def test_queue_shows_only_the_department_and_filters_by_state_kind_category(client, login_as):
    tip, _ = file_report(OWN)
    complaint, _ = file_report(OWN, kind="complaint")
    verifying, _ = file_report(OWN, business_name="河坊小吃")
    transition_report(verifying, "verifying", SYSTEM)
    drug, _ = file_report(OWN, category=lookup(Category, "food.sales"))
    elsewhere, _ = file_report(OTHER)
    db.session.commit()
    login_as(Role.STAFF, OWN)
    everything = numbers(queue(client))
    assert elsewhere.number not in everything
    assert {tip.number, complaint.number, verifying.number} <= set(everything)
    assert numbers(queue(client, kind="complaint")) == [complaint.number]
    assert numbers(queue(client, state="verifying")) == [verifying.number]
    assert drug.number not in numbers(queue(client, category=lookup(Category, "food.catering").id))
    # Another department's report stays out whatever the filter or search asks for.
    assert numbers(queue(client, q=elsewhere.number)) == []


def test_region_filter_includes_the_districts_streets(client, login_as):
    street, _ = file_report(OWN, region=lookup(Region, "330105001"))
    district, _ = file_report(OWN, region=lookup(Region, "330105"))
    login_as(Role.STAFF, OWN)
    assert set(numbers(queue(client, region=lookup(Region, "330105").id))) == {street.number, district.number}
    assert numbers(queue(client, region=lookup(Region, "330105002").id)) == []
    assert numbers(queue(client, region=lookup(Region, "330105001").id)) == [street.number]


def test_search_finds_chinese_words_in_any_order_number_name_and_licence(client, login_as):
    masks, _ = file_report(OWN, description="后厨卫生很差，员工不戴口罩直接处理熟食。")
    expired, _ = file_report(OWN, description="货架上的牛奶已经过期三天还在销售。", business_name="便民超市")
    licensed, _ = file_report(
        OWN, business_licence="91330100799655058B", business_name="华联超市", description="收银台多收了钱。"
    )
    login_as(Role.STAFF, OWN)
    assert numbers(queue(client, q="口罩")) == [masks.number]
    assert numbers(queue(client, q="员工 后厨")) == [masks.number]  # words, not a phrase
    assert numbers(queue(client, q="牛奶过期")) == [expired.number]
    assert numbers(queue(client, q="口罩 牛奶")) == []  # every word must be there
    assert numbers(queue(client, q=expired.number.lower())) == [expired.number]
    assert numbers(queue(client, q="91330100799655058b")) == [licensed.number]
    assert set(numbers(queue(client, q="超市"))) == {expired.number, licensed.number}


def test_assigned_to_me_and_unassigned(client, login_as):
    mine, _ = file_report(OWN)
    nobodys, _ = file_report(OWN)
    login_as(Role.STAFF, OWN)
    mine.assignee = user(f"{Role.STAFF}-{OWN}")
    db.session.commit()
    assert numbers(queue(client, mine="1")) == [mine.number]
    assert numbers(queue(client, unassigned="1")) == [nobodys.number]


def test_keyset_pages_walk_forward_and_back_without_duplicates_or_gaps(client, login_as):
    start = datetime(2026, 11, 2, 1, 0)
    filed = []
    for i in range(120):
        # Pairs share a received_at: the id breaks the tie, so no row is skipped or repeated.
        with frozen_at(start + timedelta(minutes=i // 2)):
            filed.append(file_report(OWN)[0].number)
    login_as(Role.STAFF, OWN)
    pages, page = [], queue(client)
    while True:
        pages.append(numbers(page))
        following = re.search(r'id="next-page" href="([^"]+)"', page)
        if not following:
            break
        page = client.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert [len(p) for p in pages] == [50, 50, 20]
    seen = [n for p in pages for n in p]
    assert seen == list(reversed(filed))  # newest first, each once
    back = re.search(r'id="previous-page" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert numbers(client.get(back).get_data(as_text=True)) == pages[1]
    oldest = numbers(queue(client, sort="oldest"))
    assert oldest == filed[:50]


def test_lead_bulk_assigns_to_a_colleague_audited(client, login_as):
    first, _ = file_report(OWN)
    second, _ = file_report(OWN)
    colleague = make_user("zhang.staff", Role.STAFF, OWN)
    login_as(Role.LEAD, OWN)
    response = client.post(
        "/admin/queue/assign", data={"report": [first.number, second.number], "assignee": colleague.id}
    )
    assert response.status_code == 302
    assert {r.assignee_id for r in (db.session.get(Report, first.id), db.session.get(Report, second.id))} == {
        colleague.id
    }
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.assigned")).all()
    assert {(e.object_id, e.data["to"], e.actor_label) for e in events} == {
        (first.id, "zhang.staff", f"lead:lead-{OWN}"),
        (second.id, "zhang.staff", f"lead:lead-{OWN}"),
    }
    assert "zhang.staff" in queue(client, mine="")  # the assignee column


def test_bulk_assign_refuses_staff_other_departments_and_outsiders(client, login_as):
    own, _ = file_report(OWN)
    elsewhere, _ = file_report(OTHER)
    outsider = make_user("wang.other", Role.STAFF, OTHER)
    colleague = make_user("zhang.staff", Role.STAFF, OWN)
    login_as(Role.LEAD, OWN)
    # A report of another department in the batch: nothing at all is assigned.
    response = client.post(  # the flash is worded in the language of the request that made it
        "/admin/queue/assign?lang=en",
        data={"report": [own.number, elsewhere.number], "assignee": colleague.id},
    )
    assert response.status_code == 302
    page = client.get("/admin/queue?lang=en").get_data(as_text=True)
    assert "You may not do this on one of these reports. Nothing was changed." in page
    # A colleague of another department cannot be given our report.
    client.post("/admin/queue/assign?lang=en", data={"report": [own.number], "assignee": outsider.id})
    page = client.get("/admin/queue?lang=en").get_data(as_text=True)
    assert "Choose a colleague of the report&#39;s own department" in page
    db.session.expire_all()
    assert own.assignee_id is None and elsewhere.assignee_id is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.assigned")) is None


def test_staff_cannot_bulk_assign(client, login_as):
    own, _ = file_report(OWN)
    login_as(Role.STAFF, OWN)
    me = user(f"{Role.STAFF}-{OWN}")
    response = client.post("/admin/queue/assign", data={"report": [own.number], "assignee": me.id})
    assert response.status_code == 403
    db.session.expire_all()
    assert own.assignee_id is None


def _walk(client, page):
    """Every page from this one on, following "Next"; (pages of numbers, the last page's HTML)."""
    pages = []
    while True:
        pages.append(numbers(page))
        following = re.search(r'id="next-page" href="([^"]+)"', page)
        if not following:
            return pages, page
        page = client.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)


def test_the_due_date_order_pages_by_the_soonest_clock_with_no_clock_last(client, login_as):
    """Filed over 60 days, two at the same moment each time: the due dates repeat and tie, the
    received time and the id break the ties; reports whose clocks stopped come last."""
    start = datetime(2026, 9, 1, 2, 0)
    for i in range(104):
        with frozen_at(start + timedelta(days=i // 2 * 1.2)):
            file_report(OWN)
    stopped = db.session.scalars(select(Report).order_by(Report.id).limit(4)).all()
    for report in stopped:  # a decided tip-off has no running clock
        transition_report(report, "verifying", SYSTEM)
        transition_report(report, "not_opened", SYSTEM, reason="线索不清")
    db.session.commit()
    rows = db.session.scalars(select(Report).where(Report.department.has(code=OWN))).all()
    never = datetime.max.date()
    expected = [r.number for r in sorted(rows, key=lambda r: (r.next_due_on or never, r.received_at, r.id))]
    assert len({r.next_due_on for r in rows}) > 10 and expected[-4:] == sorted(r.number for r in stopped)

    login_as(Role.STAFF, OWN)
    pages, last = _walk(client, queue(client, sort="due"))
    assert [len(p) for p in pages] == [50, 50, 4] and [n for p in pages for n in p] == expected
    back = re.search(r'id="previous-page" href="([^"]+)"', last).group(1).replace("&amp;", "&")
    assert numbers(client.get(back).get_data(as_text=True)) == pages[1]


def test_a_deadline_filter_lists_the_most_overdue_first_unless_asked_otherwise(client, login_as):
    with frozen_at(datetime(2026, 10, 1, 2, 0)):
        oldest, _ = file_report(OWN)
    with frozen_at(datetime(2026, 10, 20, 2, 0)):
        newer, _ = file_report(OWN)
    with frozen_at(datetime(2026, 12, 7, 2, 0)):
        login_as(Role.STAFF, OWN)
        assert numbers(queue(client, due="overdue")) == [oldest.number, newer.number]
        assert numbers(queue(client, due="overdue", sort="newest")) == [newer.number, oldest.number]
        assert 'value="due" selected' in queue(client, due="overdue")


def test_due_filters_and_badges_come_from_the_running_clocks(client, login_as):
    """A tip-off waits 15 working days for the case decision: one filed 40 days ago is overdue."""
    from datetime import timedelta

    from portal.clock import frozen_at, utcnow

    with frozen_at(utcnow() - timedelta(days=40)):
        late, _ = file_report(OWN, business_name="早就该处理的餐馆")
    fresh, _ = file_report(OWN, business_name="刚收到的餐馆")
    login_as(Role.STAFF, OWN)

    def numbers(query):
        page = client.get(f"/admin/queue?lang=en&{query}").get_data(as_text=True)
        return re.findall(r'<tr data-number="([^"]+)">', page), page

    overdue, page = numbers("due=overdue")
    assert overdue == [late.number]
    row = page.split(f'<tr data-number="{late.number}">')[1].split("</tr>")[0]
    assert "Overdue" in row
    soon, _ = numbers("due=within&due_days=3")
    assert soon == [late.number]  # the fresh one is due in 15 working days
    assert set(numbers("due=within&due_days=20")[0]) == {late.number, fresh.number}
    everything, page = numbers("")
    fresh_row = page.split(f'<tr data-number="{fresh.number}">')[1].split("</tr>")[0]
    assert "Overdue" not in fresh_row and "Due soon" not in fresh_row


def _statements_and_commits(client, url):
    """(SQL statements, database commits) of one request, counted on the engine."""
    from sqlalchemy import event

    statements, commits = [], []

    def on_statement(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def on_commit(conn):
        commits.append(1)

    event.listen(db.engine, "before_cursor_execute", on_statement)
    event.listen(db.engine, "commit", on_commit)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", on_statement)
        event.remove(db.engine, "commit", on_commit)
    assert response.status_code == 200
    return statements, len(commits), response.get_data(as_text=True)


def test_a_queue_page_costs_the_same_few_statements_however_many_rows_and_writes_nothing(client, login_as):
    """Rows come with their category, area and assignee; the calendar is read once per page for
    the badges; resuming the staff session within the minute writes nothing."""
    from datetime import timedelta

    from portal.casework.operations import assign_reports
    from portal.clock import utcnow

    first, _ = file_report(OWN)
    login_as(Role.STAFF, OWN)
    client.get("/admin/queue")  # the session's first touch is behind us
    few, few_commits, page = _statements_and_commits(client, "/admin/queue")
    assert numbers(page) == [first.number]

    lead = make_user("market.lead2", Role.LEAD, OWN)
    colleague = make_user("market.colleague", Role.STAFF, OWN)
    more = [file_report(OWN, category=lookup(Category, "food.sales"))[0] for _ in range(3)]
    more += [file_report(OWN, region=lookup(Region, "330105001"))[0] for _ in range(3)]
    with frozen_at(utcnow() - timedelta(days=40)):
        more += [file_report(OWN)[0] for _ in range(3)]  # overdue: a badge each
    assign_reports(more[:4], colleague, lead)
    assign_reports(more[4:6], lead, lead)
    db.session.commit()
    many, many_commits, page = _statements_and_commits(client, "/admin/queue")
    assert len(numbers(page)) == 10 and page.count("badge text-bg-danger") == 3
    assert colleague.display_name in page and lead.display_name in page
    assert len(many) == len(few) <= 7, many
    assert many_commits == few_commits == 0
    assert not any(s.lstrip().upper().startswith(("UPDATE", "INSERT")) for s in many)


def _found(user, query):
    from portal.casework.queue import QueueFilters, queue_page

    return {r.number for r in queue_page(user, QueueFilters(query=query)).reports}


def test_search_finds_substrings_words_apart_single_characters_and_latin_prefixes(app):
    """Bigram tokens: any substring of two or more characters, two words of a query apart or in
    another order, a single character anywhere, the start of a Latin word or licence."""
    masks, _ = file_report(
        OWN, description="后厨卫生很差，员工不戴口罩直接处理熟食。", business_name="老街坊餐馆"
    )
    milk, _ = file_report(OWN, description="货架上的牛奶已经过期三天还在销售。", business_name="KFC Express")
    licensed, _ = file_report(
        OWN, business_licence="91330100799655058B", business_name="华联超市", description="收银台多收了钱。"
    )
    staff = make_user("market.searcher", Role.STAFF, OWN)
    assert _found(staff, "戴口罩直接") == {masks.number}  # a substring of odd length
    assert _found(staff, "街坊") == {masks.number}  # inside the business name
    assert _found(staff, "过期牛奶") == _found(staff, "牛奶 过期") == {milk.number}  # apart, reordered
    assert _found(staff, "奶过") == set()  # not in the text, even though both characters are
    assert _found(staff, "食") == {masks.number}  # the last character of a run
    assert _found(staff, "kf") == {milk.number}  # the start of a Latin word, any case
    assert _found(staff, "9133010079") == {licensed.number}  # the start of a licence
    assert _found(staff, "100% 口罩_") == set()  # LIKE's wildcards are plain characters here


def test_search_text_holds_bigrams_and_words_once_between_spaces():
    from portal.casework.search import query_terms, search_text_for

    text = search_text_for("老街坊", "JY13301050012345", "老街坊卫生差")
    assert text == " 老街 街坊 坊 jy13301050012345 坊卫 卫生 生差 差 "
    assert query_terms("卫生 差劲的店") == [("卫生", True), ("差劲", True), ("的店", True)]
    assert query_terms("口") == [("口", False)]


def test_next_due_on_follows_the_running_clocks_as_the_database_keeps_it(app):
    """reports.next_due_on (the deadline filters read it) is written by a trigger on the clocks:
    set when a clock starts, moved by an extension, cleared when the last running clock is met."""
    from datetime import date, timedelta

    from portal.casework.queue import QueueFilters, queue_page
    from portal.clock import utcnow
    from portal.deadlines.clocks import extend_deadline, running_deadlines

    with frozen_at(utcnow() - timedelta(days=40)):
        late, _ = file_report(OWN)
    staff = make_user("market.clocks", Role.STAFF, OWN)

    def next_due():
        db.session.expire(late)
        return late.next_due_on

    def overdue():
        return [r.number for r in queue_page(staff, QueueFilters(due="overdue")).reports]

    (clock,) = running_deadlines(late)
    assert next_due() == clock.due_on and overdue() == [late.number]
    extend_deadline(clock, SYSTEM)  # 15 more working days
    db.session.commit()
    assert next_due() == clock.due_on > clock.starts_on + timedelta(days=21)
    transition_report(late, "verifying", SYSTEM)  # the case-decision clock keeps running
    db.session.commit()
    assert next_due() == clock.due_on
    transition_report(late, "case_opened", SYSTEM, case_number="立字7号", opened_on=date.today())
    db.session.commit()
    assert next_due() not in (None, clock.due_on)  # met; the decision-notice clock runs now
    assert {d.due_on for d in running_deadlines(late)} == {next_due()}


def _page_plan(client, url):
    """The database's plan for the ids of a queue page (the page's own statement, captured as
    sent; the ids come from a LIMITed subquery, then the rows by id), asked with sequential
    scans and sorts priced out, so that a small test table is planned like a large one: an ids
    plan that still sorts is one no index serves in order. Returns its nodes as text."""
    from sqlalchemy import event

    seen = []
    listen = lambda conn, cursor, statement, params, context, many: seen.append((statement, params))  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    statement, params = next((s, p) for s, p in seen if "WHERE reports.id IN (SELECT reports.id" in s)
    cursor = db.session.connection().connection.cursor()
    if db.engine.dialect.name == "postgresql":
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, params)
        nodes = _walk_plan(cursor.fetchone()[0][0]["Plan"])
        limit = next(n for n in nodes if n["Node Type"] == "Limit")  # the ids subquery's
        found = " ".join(f"{n['Node Type']} {n.get('Index Name', '')}" for n in _walk_plan(limit))
    else:
        rows = cursor.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
        inside = {row[0] for row in rows if "SUBQUERY" in row[3]}
        for row in rows:  # the subquery's nodes, at any depth
            if row[1] in inside:
                inside.add(row[0])
        found = " ".join(row[3] for row in rows if row[1] in inside)
    db.session.rollback()
    return found


def _walk_plan(node):
    yield node
    for child in node.get("Plans", []):
        yield from _walk_plan(child)


def test_a_page_is_read_in_order_from_the_index_of_its_filter_or_order(client, login_as):
    """Each page's ids come from an index that hands them out in the page's order (no sort of
    the department's reports): the plain queue, a state filter (closed reports, all behind the
    open ones, read the newest reports first at a million rows: 9.8 ms), the kind filter (no
    index: 104 ms at a million to find no complaint among tip-offs), and the due-date order,
    which sorted the whole department until an index held its expression (490 ms), on its first
    page and on a later one (the keyset condition on the same expression)."""
    from portal.casework.queue import DUE, encode_cursor

    reports = [file_report(OWN)[0] for _ in range(3)]
    db.session.commit()
    login_as(Role.STAFF, OWN)
    after = encode_cursor(reports[0], DUE)
    for url, index in (
        ("/admin/queue", "ix_reports_department_received"),
        ("/admin/queue?state=closed", "ix_reports_department_state_received"),
        ("/admin/queue?kind=complaint", "ix_reports_department_kind_received"),
        ("/admin/queue?sort=due", "ix_reports_department_due_order"),
        (f"/admin/queue?sort=due&after={after}", "ix_reports_department_due_order"),
    ):
        plan = _page_plan(client, url)
        assert index in plan, (url, plan)
        assert "Sort" not in plan and "TEMP B-TREE" not in plan, (url, plan)


def test_a_state_the_kind_never_takes_reads_no_report(client, login_as):
    """A complaint is never "verifying" (the transition tables say so): the queue answers an
    empty page without reading the department's verifying tip-offs (PostgreSQL's plan keeps no
    scan at all; SQLite evaluates the constant-false condition before its loop)."""
    tip, _ = file_report(OWN)
    transition_report(tip, "verifying", SYSTEM)
    db.session.commit()
    login_as(Role.STAFF, OWN)
    assert numbers(queue(client, state="verifying")) == [tip.number]
    assert numbers(queue(client, state="verifying", kind="complaint")) == []
    if db.engine.dialect.name == "postgresql":
        plan = _page_plan(client, "/admin/queue?state=verifying&kind=complaint")
        assert "Scan" not in plan, plan
