"""Public notices, red and black lists, the department dashboard and supervision (issue 12, items 3-6)."""
