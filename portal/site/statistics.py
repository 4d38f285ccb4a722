"""The public statistics page (no sign-in) and its CSV: the same numbers, read from the
aggregate (portal/statistics), small cells suppressed; the latest published audit head."""

import csv
import io

from flask import Response, render_template
from flask_babel import lazy_gettext as _l

from portal.audit.anchor import latest_published_head
from portal.site import bp
from portal.statistics.queries import min_cell, page_data

TABLE_TITLE = {
    "month": _l("Reports by month"),
    "category": _l("Reports by category"),
    "region": _l("Reports by district"),
    "rewards": _l("Rewards approved by year"),
}
FIRST_COLUMN = {
    "month": _l("Month"),
    "category": _l("Category"),
    "region": _l("District"),
    "rewards": _l("Year"),
}
COLUMN_TEXT = {
    "received": _l("Reports received"),  # a count ("Received" alone is the time a report came in)
    "closed": _l("Closed"),
    "decided": _l("Decided"),
    "on_time_share": _l("Decided within the legal time limit (%)"),
    "awards": _l("Awards"),
    "amount": _l("Amount (yuan)"),
}


def suppressed_text():
    return f"<{min_cell()}"


def cell_text(value):
    return suppressed_text() if value is None else str(value)


@bp.get("/statistics")
def statistics():
    return render_template(
        "site/statistics.html",
        data=page_data(),
        head=latest_published_head(),
        titles=TABLE_TITLE,
        first_column=FIRST_COLUMN,
        column_text=COLUMN_TEXT,
        cell_text=cell_text,
        minimum=min_cell(),
    )


@bp.get("/statistics.csv")
def statistics_csv():
    """table, label, column, value: one line per figure of the page (suppressed as on the page)."""
    data = page_data()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "column", "value"])
    for key, value in data["overall"].items():
        writer.writerow(["overall", "", key, cell_text(value)])
    for table in data["tables"]:
        for label, cells in table.rows:
            for column in table.columns:
                writer.writerow([table.key, label, column, cell_text(cells[column])])
    body = "\ufeff" + out.getvalue()  # a BOM, so spreadsheet programs read the Chinese names right
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="statistics.csv"'},
    )
