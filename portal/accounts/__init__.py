"""Staff accounts, roles and permissions."""
