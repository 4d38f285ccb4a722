"""What public and staff answers share: a report's messages and legal dates as plain data."""

from portal.messages.operations import conversation
from portal.site.legal_dates import legal_date_entries


def messages_out(report):
    return [
        {
            "id": m.id,
            "direction": m.direction,
            "body": m.body,
            "at": m.created_at,
            "attachments": [e.sha256 for e in m.attachments],
        }
        for m in conversation(report)
    ]


def legal_dates_out(report):
    return [
        {k: entry[k] for k in ("code", "due_on", "sentence", "basis", "running", "provisional")}
        for entry in legal_date_entries(report)
    ]
