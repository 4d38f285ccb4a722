"""Two cookies: the back office's never travels to the citizen site, nor the citizen's to /admin.

Staff get `portal_staff` on path /admin, SameSite=Strict (a link from elsewhere arrives signed
out), Secure in production, signed with a salt of its own so a citizen cookie cannot stand in.
"""

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface

STAFF_PREFIX = "/admin"
STAFF_COOKIE = "portal_staff"
STAFF_SALT = "portal-staff-session"


API_PREFIX = "/api/"


def is_api():
    """The JSON API takes no cookies and sets none (portal/api)."""
    return has_request_context() and request.path.startswith(API_PREFIX)


def is_back_office():
    if not has_request_context():
        return False
    return request.path == STAFF_PREFIX or request.path.startswith(STAFF_PREFIX + "/")


class _StaffSigner(SecureCookieSessionInterface):
    salt = STAFF_SALT


class StaffAwareSessionInterface(SecureCookieSessionInterface):
    _staff_signer = _StaffSigner()

    def get_signing_serializer(self, app):
        if is_back_office():
            return self._staff_signer.get_signing_serializer(app)
        return super().get_signing_serializer(app)

    def save_session(self, app, session, response):
        if is_api():
            return None  # no Set-Cookie on an API response, whatever touched the session
        return super().save_session(app, session, response)

    def get_cookie_name(self, app):
        return STAFF_COOKIE if is_back_office() else super().get_cookie_name(app)

    def get_cookie_path(self, app):
        if is_back_office():
            return request.script_root + STAFF_PREFIX
        return super().get_cookie_path(app)

    def get_cookie_samesite(self, app):
        return "Strict" if is_back_office() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app):
        if is_back_office():
            return app.config["ENV_NAME"] == "production" or super().get_cookie_secure(app)
        return super().get_cookie_secure(app)
