"""The domain's one refusal: a rule forbids the change, and .code says which."""


class ReportError(ValueError):
    """A rule forbids the change; .code says which (portal/site/messages.py words it)."""

    def __init__(self, code, message=""):
        super().__init__(message or code)
        self.code = code
