"""Working-day deadlines: the calendar, versioned deadline policies, due dates per report, the sweep."""
