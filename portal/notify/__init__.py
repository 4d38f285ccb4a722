"""Notifications: the transactional outbox, its delivery over SMTP, and the staff digests."""
