"""All Tandem tables; importing this package registers them on Base.metadata."""
from surveys.models.actions import (
    ACTION_SOURCES, ACTION_STATUSES, OPEN_STATUSES, VISIBILITIES, Action, ActionEvent, ActionStep, ActionUpdate,
    Reminder, action_teams,
)
from surveys.models.alerts import (
    ALERT_KINDS, ALERT_STATUSES, OPEN_ALERT_STATUSES, SEVERITIES, Alert, AlertEvent, AlertScan,
)
from surveys.models.api_tokens import ApiToken
from surveys.models.digests import DIGEST_PERIODS, PUBLIC_STATUSES, DigestSubscription, PublicIssue, PublicIssueUpdate
from surveys.models.audit import GENESIS_HASH, AuditChainHead, AuditEvent
from surveys.models.base import Base, utcnow
from surveys.models.goals import Goal
from surveys.models.imports import JOB_STATUSES, ImportJob
from surveys.models.instruments import AUDIENCES, DIMENSIONS, QUESTION_TYPES, Question, Survey
from surveys.models.org import CHANNELS, ROLES, STAFF_ROLES, Person, Team, Touchpoint
from surveys.models.ratelimit import RateLimitHit
from surveys.models.report_cache import ReportCache
from surveys.models.responses import (
    FLAG_REASONS,
    SOURCES,
    Answer,
    FlaggedResponse,
    PendingSubmission,
    Response,
)
from surveys.models.rollups import (
    ROLLUP_MODELS, RollupCustomerDay, RollupDimension, RollupItem, RollupParticipation, RollupResponses,
)
from surveys.models.sessions import SignInThrottle, StaffSession
from surveys.models.settings import LOGO_TYPES, OrganisationSettings
from surveys.models.themes import (
    ALL_COMMENTS, THEME_AUDIENCES, THEME_SOURCES, CommentLabel, CommentTheme, RollupThemeDay, RollupThemeWave, Theme,
    ThemeModel, ThemeRule,
)
from surveys.models.voice import (
    CASE_STATUSES, CASE_TRIGGERS, CONTACT_METHODS, OPEN_CASE_STATUSES, CaseEvent, CustomerContact, FollowUpCase,
    Outcome, OutcomeMetric,
)
from surveys.models.waves import CADENCES, Invitation, Program, SubmissionReceipt, Wave, WaveTeam, program_teams

__all__ = [
    "ACTION_STATUSES", "AUDIENCES", "FLAG_REASONS", "FlaggedResponse",
    "GENESIS_HASH", "AuditChainHead", "CADENCES", "CHANNELS", "DIMENSIONS", "LOGO_TYPES", "QUESTION_TYPES",
    "JOB_STATUSES", "ROLES", "ROLLUP_MODELS", "SOURCES", "STAFF_ROLES", "Action", "ActionUpdate", "Answer", "AuditEvent",
    "Base", "ImportJob",
    "Invitation", "OrganisationSettings", "PendingSubmission", "Person", "Program", "Question", "RateLimitHit", "ReportCache",
    "Response", "RollupCustomerDay", "RollupDimension", "RollupItem", "RollupParticipation", "RollupResponses", "SignInThrottle",
    "StaffSession", "SubmissionReceipt", "Survey", "Team", "Touchpoint", "Wave", "WaveTeam", "program_teams",
    "utcnow",
    "ApiToken",  # api_tokens.py
    "ACTION_SOURCES", "OPEN_STATUSES", "VISIBILITIES", "ActionEvent", "ActionStep", "Reminder", "action_teams",
    "Goal",
    "ALERT_KINDS", "ALERT_STATUSES", "OPEN_ALERT_STATUSES", "SEVERITIES", "Alert", "AlertEvent", "AlertScan",
    "DIGEST_PERIODS", "PUBLIC_STATUSES", "DigestSubscription", "PublicIssue", "PublicIssueUpdate",
    "ALL_COMMENTS", "THEME_AUDIENCES", "THEME_SOURCES", "CommentLabel", "CommentTheme", "RollupThemeDay",
    "RollupThemeWave", "Theme", "ThemeModel", "ThemeRule",
    "CASE_STATUSES", "CASE_TRIGGERS", "CONTACT_METHODS", "OPEN_CASE_STATUSES", "CaseEvent", "CustomerContact",
    "FollowUpCase", "Outcome", "OutcomeMetric",
]
