"""Import every model module so the metadata is complete (used by create_app and Alembic)."""

from portal.accounts.models import RecoveryCode, SignInThrottle, User  # noqa: F401
from portal.api.tokens import ApiToken  # noqa: F401
from portal.audit.models import AuditChainHead, AuditEvent  # noqa: F401
from portal.casework.models import Note  # noqa: F401
from portal.deadlines.extensions import ExtensionRequest  # noqa: F401
from portal.deadlines.models import CalendarDay, DeadlinePolicy, ReportDeadline  # noqa: F401
from portal.directory.models import Category, Department, Region, RoutingRule  # noqa: F401
from portal.evidence.models import Evidence  # noqa: F401
from portal.messages.models import Message  # noqa: F401
from portal.notify.models import Outbox  # noqa: F401
from portal.oversight.models import (  # noqa: F401
    DepartmentStep,
    ProgressReport,
    PublicNotice,
    RedListEntry,
    SupervisedCase,
)
from portal.reports.clues import ClueLink  # noqa: F401
from portal.reports.history import StateChange  # noqa: F401
from portal.reports.models import Assignment, Report, ReportSequence, Supplement  # noqa: F401
from portal.reports.proposals import Proposal  # noqa: F401
from portal.reports.reporters import Reporter, ReportReporter  # noqa: F401
from portal.rewards.models import (  # noqa: F401
    RewardAward,
    RewardPayout,
    RewardPolicy,
    RewardReversal,
    RewardShare,
    RewardSignoff,
)
from portal.satisfaction.models import ReviewTask, SatisfactionRating  # noqa: F401
from portal.sessions.models import WebSession  # noqa: F401
from portal.statistics.models import StatsDaily, StatsDecisionDays, StatsRefresh  # noqa: F401
