"""What staff are told when sign-in is refused, by SignInRefused code, in their language."""

from datetime import timedelta
from math import ceil

from flask_babel import format_timedelta
from flask_babel import gettext as _


def _wait_text(wait):
    """Whole minutes, rounded up, so a person never comes back a little too early."""
    return format_timedelta(timedelta(minutes=max(1, ceil(wait.total_seconds() / 60))))


def sign_in_error_text(exc):
    if exc.code == "locked":
        return _("Too many failed sign-ins. Wait %(wait)s, then try again.", wait=_wait_text(exc.wait))
    if exc.code == "demo_password":
        text = _(
            "The published demo password only works in development. "
            "Ask an administrator to set a password of your own."
        )
    elif exc.code == "wrong_code":
        text = _("That code is not right. Check the time on your phone and type the newest code.")
    elif exc.code == "reused_code":
        text = _("That code has already been used. Wait for the next code and type it.")
    else:
        text = _("Wrong username or password.")
    if exc.wait:
        text += " " + _("Too many failed sign-ins. Wait %(wait)s, then try again.", wait=_wait_text(exc.wait))
    return text
