"""Receipts: report number + access key. The key is kept only as a keyed hash.

The key is derived from the intake form's one-time submission token (128 random bits) under the
server secret, so a double-clicked submit can show the same receipt again instead of a second
report, while the database holds neither the token nor the key, only their keyed hashes.
"""

import hmac
import secrets

from portal.security import keyed_hash, receipt_keys

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KEY_CHARS = 20  # 100 bits
GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


MIN_TOKEN_LENGTH = 20


def new_submission_token():
    return secrets.token_urlsafe(16)  # 22 characters, 128 bits


def _encode(data, length):
    number = int.from_bytes(data, "big")
    chars = []
    for _ in range(length):
        number, rest = divmod(number, 32)
        chars.append(CROCKFORD[rest])
    return "".join(reversed(chars))


def access_key_for(submission_token):
    """The access key that belongs to a submission token (deterministic under the secret)."""
    message = b"access-key\x00" + submission_token.encode()
    digest = hmac.new(receipt_keys().current, message, "sha256").digest()
    return _encode(digest[:13], KEY_CHARS)


def format_key(key):
    """Group for reading aloud: ABCD-EFGH-…"""
    return "-".join(key[i : i + GROUP] for i in range(0, len(key), GROUP))


def normalise_key(typed):
    """Accept what people type: lower case, spaces, dashes, O for 0, I/L for 1."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    return cleaned.translate(_READ_AS)


def hash_access_key(key):
    return keyed_hash("access-key", normalise_key(key), receipt_keys().current)


def hash_submission_token(token):
    return keyed_hash("submission-token", token, receipt_keys().current)


def key_matches(stored_hash, typed_key):
    return hmac.compare_digest(stored_hash, hash_access_key(typed_key))


def normalise_number(typed):
    return typed.strip().upper().replace(" ", "")
