"""Refusals of the oversight rules: a code that names the rule (admin/oversight_messages.py words it)."""

from portal.reports.errors import ReportError


class OversightError(ReportError):
    """An oversight rule forbids the change; .code names the rule."""
