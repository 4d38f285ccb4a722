"""Response helpers for the citizen pages."""

from flask import make_response


def no_store(html, status=200):
    """Pages with receipts or report details must not stay in shared or back-button caches."""
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response
