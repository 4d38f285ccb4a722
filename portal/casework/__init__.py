"""Casework inside a department: assignees, internal notes, identity reveals, evidence downloads
and the queue's search. Nothing here changes a report's state (operations.transition_report does)."""
