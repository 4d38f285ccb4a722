"""The password rule, applied wherever a password is set (accounts, demo seed, tests)."""

MIN_PASSWORD_LENGTH = 12


class AccountError(Exception):
    """A domain rule about accounts refused the change; `code` says which."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def check_new_password(password):
    """Refuse a password that is too short to resist guessing."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short")
