"""The public notices 曝光台 and the red and black lists 红黑榜: no login, no reporter data."""

from datetime import date

from flask import abort, render_template, request

from portal.clock import local_today
from portal.oversight.lists import black_list, red_list
from portal.oversight.notices import public_notice, public_notices
from portal.site import bp


def _query():
    return (request.args.get("q") or "").strip()[:100] or None


def _year():
    value = request.args.get("year", "")
    year = int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else local_today().year
    return year


@bp.get("/notices")
def notices():
    query = _query()
    return render_template("site/notices.html", notices=public_notices(query), query=query or "")


@bp.get("/notices/<int:notice_id>")
def notice(notice_id):
    found = public_notice(notice_id)
    if found is None:
        abort(404)
    return render_template("site/notice.html", notice=found)


@bp.get("/lists")
def lists():
    query, year = _query(), _year()
    start, end = date(year, 1, 1), date(year, 12, 31)
    return render_template(
        "site/lists.html",
        black=black_list(start, end, query),
        red=red_list(start, end, query),
        query=query or "",
        year=year,
    )
