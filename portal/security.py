"""Secrets at rest: encrypted columns (rotatable Fernet keys) and keyed hashes (HMAC-SHA256)."""

import hashlib
import hmac

from cryptography.fernet import MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from portal.keys import parse_fernet_keys, parse_keyring


def data_cipher(app=None):
    """MultiFernet over DATA_KEYS (checked at start-up): encrypts with the first, reads with any."""
    app = app or current_app
    cipher = app.extensions.get("portal_cipher")
    if cipher is None:
        cipher = app.extensions["portal_cipher"] = MultiFernet(parse_fernet_keys(app.config["DATA_KEYS"]))
    return cipher


def _keyring(setting, app=None):
    app = app or current_app
    cache = app.extensions.setdefault("portal_keyrings", {})
    if setting not in cache:
        cache[setting] = parse_keyring(setting, app.config[setting])
    return cache[setting]


def receipt_keys(app=None):
    """HMAC keys for access keys and submission tokens (RECEIPT_KEYS, newest first)."""
    return _keyring("RECEIPT_KEYS", app)


def audit_keys(app=None):
    """HMAC keys for the audit chain (AUDIT_KEYS, newest first); never stored in the database."""
    return _keyring("AUDIT_KEYS", app)


class EncryptedText(TypeDecorator):
    """Text encrypted with the current data key; older keys still decrypt (rotation)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return data_cipher().encrypt(value.encode()).decode()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return data_cipher().decrypt(value.encode()).decode()


def keyed_hash(purpose, value, key):
    """HMAC-SHA256 of value under `key` (bytes), separated by purpose; hex digest."""
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
