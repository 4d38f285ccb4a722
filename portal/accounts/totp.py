"""TOTP arithmetic (RFC 6238 via pyotp) and recovery codes; no database, no request.

Recovery codes are stored as an HMAC-SHA256 keyed with the user's own TOTP secret, not argon2:
each code carries about 50 random bits (not a password a person chose), so a slow hash buys
nothing against guessing, while argon2 would cost ten slow checks per attempt (salted hashes
cannot be looked up). The key is encrypted at rest with DATA_KEYS, so a database dump alone
cannot even test a guess, and resetting the TOTP secret voids the old codes with it.
"""

import base64
import hmac
import io
import secrets
from datetime import UTC

import pyotp
import segno

from portal.security import keyed_hash

ISSUER = "Market regulation portal"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code of the step before or after is still accepted (clock drift, typing)
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed by hand.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10


def new_secret():
    return pyotp.random_base32()  # 160 bits


def _timestamp(moment):
    """portal.clock gives naive UTC; pyotp would read a naive datetime as local time."""
    return int(moment.replace(tzinfo=UTC).timestamp())


def counter_at(moment):
    return _timestamp(moment) // STEP_SECONDS


def code_at(secret, moment):
    """The code an authenticator app shows at this moment."""
    return pyotp.TOTP(secret).generate_otp(counter_at(moment))


def matching_counter(secret, code, moment):
    """The time step (within ±DRIFT_STEPS) whose code this is, or None."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp, now = pyotp.TOTP(secret), counter_at(moment)
    for counter in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def looks_like_totp(code):
    return (code or "").strip().replace(" ", "").isdigit()


def provisioning_uri(secret, username):
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(uri):
    """The enrolment QR code as an SVG data: URI (drawn here; CSP allows img-src data:)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def new_recovery_codes():
    """Ten fresh codes, shown as 'abcde-fghjk'."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalise_recovery_code(code):
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def recovery_hash(secret, code):
    return keyed_hash("recovery-code", normalise_recovery_code(code), secret.encode())
