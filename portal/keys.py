"""Every secret the portal uses, one job each, checked at start-up.

SECRET_KEY signs sessions and CSRF tokens only. Receipts (access keys, submission tokens) and the
audit chain have their own versioned key lists, `id:secret` newest first, so a key can be added
in front without losing a single receipt or breaking the chain: each stored hash names the id of
the key that made it. DATA_KEYS are Fernet keys for reporter identity (MultiFernet rotation).

Run `python -m portal.keys` to print a fresh set for a production environment file.
"""

import re
import secrets
from dataclasses import dataclass

from cryptography.fernet import Fernet

MIN_SECRET_CHARS = 32
MIN_DISTINCT_CHARS = 10  # refuses "aaaa…" and other secrets a person typed to get past a length rule
KEY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,15}$")

# Published development values: usable only where PORTAL_ENV is development or test.
DEV_SECRET = "development-session-secret-change-me-0123456789"
DEV_DATA_KEY = "ZGV2ZWxvcG1lbnQtZGF0YS1rZXktbm90LXNlY3JldCE="  # b"development-data-key-not-secret!"
DEV_RECEIPT_KEYS = "dev:development-receipt-key-not-a-secret-0123456789"
DEV_AUDIT_KEYS = "dev:development-audit-key-not-a-secret-0123456789"


class BadKey(ValueError):
    """A key setting is malformed; the message names the setting and what to do."""


def check_secret(name, value):
    """A secret a person could not have guessed: long and not one character repeated."""
    if len(value) < MIN_SECRET_CHARS:
        raise BadKey(f"{name} is shorter than {MIN_SECRET_CHARS} characters; use a long random value.")
    if len(set(value)) < MIN_DISTINCT_CHARS:
        raise BadKey(f"{name} repeats too few characters to be random; use a long random value.")
    return value


@dataclass(frozen=True)
class KeyRing:
    """Versioned HMAC keys, newest first: new hashes use the first, old ones name theirs."""

    name: str
    keys: tuple[tuple[str, bytes], ...]

    @property
    def current_id(self):
        return self.keys[0][0]

    @property
    def current(self):
        return self.keys[0][1]

    def get(self, key_id):
        """The key with this id; a stored id we no longer hold is a configuration error."""
        for kid, secret in self.keys:
            if kid == key_id:
                return secret
        raise BadKey(f"{self.name} has no key with id {key_id!r}; keep old keys after the new one.")

    def all_secrets(self):
        return [secret for _, secret in self.keys]


def parse_keyring(name, value):
    """`id:secret,id:secret` (newest first) → KeyRing; raises BadKey naming the problem."""
    items = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not items:
        raise BadKey(f"{name} is empty; set it to id:secret pairs, newest first.")
    keys, seen = [], set()
    for item in items:
        kid, sep, secret = item.partition(":")
        if not sep or not KEY_ID.match(kid):
            raise BadKey(f"{name}: each entry must be id:secret with a short lower-case id (e.g. r2026:…).")
        if kid in seen:
            raise BadKey(f"{name}: key id {kid!r} appears twice.")
        seen.add(kid)
        keys.append((kid, check_secret(f"{name} key {kid!r}", secret).encode()))
    return KeyRing(name, tuple(keys))


def parse_fernet_keys(value):
    """DATA_KEYS → list of Fernet keys (newest first); raises BadKey on a malformed key."""
    raw = [k.strip() for k in (value or "").split(",") if k.strip()]
    if not raw:
        raise BadKey("DATA_KEYS is empty; set it to one or more Fernet keys, newest first.")
    keys = []
    for position, key in enumerate(raw, start=1):
        try:
            keys.append(Fernet(key.encode()))
        except (ValueError, TypeError) as exc:
            raise BadKey(
                f"DATA_KEYS entry {position} is not a Fernet key (32 url-safe base64 bytes); "
                "make one with `python -m portal.keys`."
            ) from exc
    return keys


def new_environment():
    """Fresh values for every secret, as lines for an environment file."""
    return "\n".join(
        [
            f"SECRET_KEY={secrets.token_urlsafe(48)}",
            f"DATA_KEYS={Fernet.generate_key().decode()}",
            f"RECEIPT_KEYS=r1:{secrets.token_urlsafe(48)}",
            f"AUDIT_KEYS=a1:{secrets.token_urlsafe(48)}",
        ]
    )


if __name__ == "__main__":
    print(new_environment())
