"""Receipts: report number + access key. The key is kept only as a keyed hash.

The key is derived from the intake form's one-time submission token under a receipt key
(RECEIPT_KEYS, newest first), so a double-clicked submit can show the same receipt again instead of
a second report, while the database holds neither the token nor the key, only their keyed hashes
and the id of the receipt key that made them: a key added in front loses no receipt.

Tokens the form hands out are signed and bound to the browser session that asked for the form, so
a made-up token, or one copied from somebody else's session, is refused.
"""

import base64
import hmac
import json
import secrets
import unicodedata

from portal.security import keyed_hash, receipt_keys

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KEY_CHARS = 20  # 100 bits
GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Dashes a Chinese input method or a word processor produces instead of "-" (NFKC keeps them).
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"))


NONCE_CHARS = 22  # 16 random bytes in URL-safe base64; the MAC is as long


def new_submission_token():
    """A fresh idempotency key for one submission (128 bits), not bound to any session."""
    return secrets.token_urlsafe(16)


def new_form_binding():
    """A random value kept in the citizen's session; the tokens it is given are bound to it."""
    return secrets.token_urlsafe(16)


def _token_mac(nonce, binding, key):
    mac = keyed_hash("submission-token-binding", f"{nonce}\x00{binding}", key)
    return base64.urlsafe_b64encode(bytes.fromhex(mac)[:16]).decode().rstrip("=")


def issue_submission_token(binding):
    """A token for one intake form: a fresh nonce and its MAC for this session (44 characters)."""
    nonce = new_submission_token()
    return nonce + _token_mac(nonce, binding, receipt_keys().current)


def submission_token_valid(token, binding):
    """True only for a token we issued to this session (under any receipt key still held)."""
    token = token or ""
    nonce, mac = token[:NONCE_CHARS], token[NONCE_CHARS:]
    if not binding or len(token) != 2 * NONCE_CHARS:
        return False
    return any(
        hmac.compare_digest(mac, _token_mac(nonce, binding, key)) for key in receipt_keys().all_secrets()
    )


def _encode(data, length):
    number = int.from_bytes(data, "big")
    chars = []
    for _ in range(length):
        number, rest = divmod(number, 32)
        chars.append(CROCKFORD[rest])
    return "".join(reversed(chars))


def access_key_for(submission_token, key=None):
    """The access key that belongs to a submission token under a receipt key (default: current)."""
    message = b"access-key\x00" + submission_token.encode()
    digest = hmac.new(key or receipt_keys().current, message, "sha256").digest()
    return _encode(digest[:13], KEY_CHARS)


def new_access_key():
    """A fresh random access key (a re-issued one: no form token stands behind it)."""
    return _encode(secrets.token_bytes(13), KEY_CHARS)


def format_key(key):
    """Group for reading aloud: ABCD-EFGH-…"""
    return "-".join(key[i : i + GROUP] for i in range(0, len(key), GROUP))


def _half_width(typed):
    """What a Chinese input method types (full-width letters, digits, dashes) as plain ASCII."""
    return unicodedata.normalize("NFKC", typed or "").translate(_DASHES)


def normalise_key(typed):
    """Accept what people type: full width, lower case, spaces, dashes, O for 0, I/L for 1."""
    cleaned = "".join(ch for ch in _half_width(typed).upper() if ch.isascii() and ch.isalnum())
    return cleaned.translate(_READ_AS)


def hash_access_key(access_key, key=None):
    return keyed_hash("access-key", normalise_key(access_key), key or receipt_keys().current)


def hash_submission_token(token, key=None):
    return keyed_hash("submission-token", token, key or receipt_keys().current)


def hash_linked_submission_token(token, key=None):
    """The token hash of the tip-off a linked submission makes beside its complaint (unique too)."""
    return keyed_hash("submission-token-linked-tip", token, key or receipt_keys().current)


def content_digest(fields, file_hashes, key):
    """Keyed digest of what a form sent (fields + files' SHA-256): a repeat must match it.

    Keyed, because a plain hash of the fields would let a leaked table confirm guesses of the
    reporter's encrypted name or phone number.
    """
    canonical = json.dumps(
        {"fields": fields, "files": sorted(file_hashes)}, sort_keys=True, ensure_ascii=False, default=str
    )
    return keyed_hash("submission-content", canonical, key)


def normalise_number(typed):
    """JB-2026-000123 however it was typed: full width, lower case, spaces, other dashes."""
    return "".join(_half_width(typed).upper().split())
