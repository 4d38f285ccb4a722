"""Two-way messages between a department and the reporter, read and answered through the receipt."""
