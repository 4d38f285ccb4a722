"""The printed receipt's QR code: it opens the lookup page with the report number filled in.

Drawn here (segno, no third party sees the number) as a PNG data: URI, which the CSP allows
(img-src data:). It never carries the access key: a photo of the code must not open the report.
"""

import base64
import io
from urllib.parse import urlencode

import segno
from flask import current_app


def track_url(number):
    """The absolute address of /track with this number filled in (PUBLIC_BASE_URL)."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/track?{urlencode({'number': number})}"


def qr_data_uri(number):
    """A PNG of the QR code for track_url(number), one pixel per module: the stylesheet scales it
    up without smoothing (image-rendering: pixelated), so it stays crisp on screen and on paper.

    The mask is fixed: choosing the "best" of eight (segno's default) scores each one and cost
    about 6 ms of a submission's ~40 ms; every mask is valid and scanners read any of them
    (tests/test_receipt_page.py decodes the code with zbar).
    """
    buffer = io.BytesIO()
    code = segno.make(track_url(number), error="m", boost_error=False, mask=0, micro=False)
    code.save(buffer, kind="png", scale=1, border=4)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
