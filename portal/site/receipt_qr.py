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
    """A PNG of the QR code for track_url(number); crisp when printed (CSS keeps the pixels)."""
    buffer = io.BytesIO()
    segno.make(track_url(number), error="m").save(buffer, kind="png", scale=6, border=4)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
