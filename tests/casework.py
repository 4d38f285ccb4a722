"""Reports for the back-office tests, filed through the real operations."""

from portal.evidence.storage import stage_upload
from portal.extensions import db
from portal.reports.operations import submit_report
from portal.reports.receipts import new_submission_token
from tests.conftest import jpeg_with_gps, make_intake, pdf_bytes

OWN, OTHER, INTAKE = "market", "market-330106", "fso"
# food.catering routes 330105 to "market" and 330106 to "market-330106".
REGION_OF = {OWN: "330105", OTHER: "330106"}


def file_report(department=OWN, files=(), **overrides):
    """A report filed by a citizen that lands in `department`; returns (report, access key)."""
    from portal.directory.models import Region
    from tests.conftest import lookup

    overrides.setdefault("region", lookup(Region, REGION_OF[department]))
    staged = [stage_upload(data, name) for data, name in files]
    receipt = submit_report(make_intake(**overrides), staged, new_submission_token())
    db.session.commit()
    return receipt.report, receipt.access_key


def photo_and_pdf():
    return [(jpeg_with_gps(), "现场.jpg"), (pdf_bytes(), "发票.pdf")]
