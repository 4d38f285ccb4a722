"""Refusals of the reward rules: a code that names the rule (portal/site/reward_messages.py words it)."""

from portal.reports.errors import ReportError


class RewardError(ReportError):
    """A reward rule forbids the change; .code names the rule, .detail adds a value to show
    (e.g. the number of the clue's first report)."""

    def __init__(self, code, message="", detail=None):
        super().__init__(code, message)
        self.detail = detail
