"""Secrets at rest: encrypted columns (rotatable Fernet keys) and keyed hashes (HMAC-SHA256)."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


def _derived_dev_key(secret):
    """Development only: a Fernet key derived from SECRET_KEY so `make run` needs no setup."""
    digest = hashlib.sha256(b"portal-data-key:" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def data_cipher(app=None):
    app = app or current_app
    cipher = app.extensions.get("portal_cipher")
    if cipher is None:
        raw = [k.strip() for k in app.config["DATA_KEYS"].split(",") if k.strip()]
        keys = [k.encode() for k in raw] or [_derived_dev_key(app.config["SECRET_KEY"])]
        cipher = app.extensions["portal_cipher"] = MultiFernet([Fernet(k) for k in keys])
    return cipher


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


def keyed_hash(purpose, value, secret=None):
    """HMAC-SHA256 of value under the app secret, separated by purpose; hex digest."""
    key = (secret or current_app.config["SECRET_KEY"]).encode()
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
