"""All Tandem tables; importing this package registers them on Base.metadata."""
from .actions import ACTION_STATUSES, Action, ActionUpdate
from .audit import AuditEvent
from .base import Base, utcnow
from .instruments import AUDIENCES, DIMENSIONS, QUESTION_TYPES, Question, Survey
from .org import CHANNELS, ROLES, STAFF_ROLES, Person, Team, Touchpoint
from .ratelimit import RateLimitHit
from .responses import SOURCES, Answer, Response
from .waves import CADENCES, Invitation, Program, SubmissionReceipt, Wave, program_teams

__all__ = [
    "ACTION_STATUSES", "AUDIENCES", "CADENCES", "CHANNELS", "DIMENSIONS", "QUESTION_TYPES", "ROLES",
    "SOURCES", "STAFF_ROLES", "Action", "ActionUpdate", "Answer", "AuditEvent", "Base", "Invitation",
    "Person", "Program", "Question", "RateLimitHit", "Response", "SubmissionReceipt", "Survey", "Team",
    "Touchpoint", "Wave", "program_teams", "utcnow",
]
