"""Report parameters, scope and settings: plain values with no statistics imported, so the web app and
the CLI can parse a request before (and without) loading the statistics stack."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from surveys.insights.figures import ParamError

COMPARISONS = ("org", "parent", "previous")


@dataclass(frozen=True)
class ReportSettings:
    """The configuration a report obeys (from the app's TANDEM_* settings)."""

    min_group_size: int = 5
    min_comment_group_size: int = 10
    process_target: float = 80.0
    linkage_min_teams: int = 10
    confidence: float = 0.95


@dataclass(frozen=True)
class Scope:
    """The teams a user may see: None for the whole organisation (executives, HR), else a team lead's
    subtree (team ids)."""

    team_ids: frozenset[int] | None = None

    @property
    def whole_org(self) -> bool:
        """True when the user sees the whole organisation."""
        return self.team_ids is None

    def allows(self, team_id: int) -> bool:
        """True when the user may see this team."""
        return self.team_ids is None or team_id in self.team_ids


@dataclass(frozen=True)
class ReportParams:
    """The parameters common to every report, plus report-specific options (strings as given)."""

    program: str | None = None
    wave: str | None = None
    unit: str | None = None
    compare: str = "org"
    options: Mapping[str, str] = field(default_factory=dict)
    # Option names the report asked for while it was built (see `unread`): not part of the value.
    read: set[str] = field(default_factory=set, compare=False, repr=False)

    def __post_init__(self):
        if self.compare not in COMPARISONS:
            raise ParamError("compare", f"compare must be one of {', '.join(COMPARISONS)}, not '{self.compare}'.")

    def option(self, name: str, default: str | None = None, choices: Iterable[str] | None = None) -> str | None:
        """A report-specific option, checked against `choices` when given."""
        self.read.add(name)
        value = self.options.get(name) or default
        if choices is not None and value is not None:
            allowed = tuple(choices)
            if value not in allowed:
                raise ParamError(name, f"{name} must be one of {', '.join(allowed)}, not '{value}'.")
        return value

    def unread(self) -> list[str]:
        """Options given that the report never asked for: misspelt or meant for another report."""
        return sorted(set(self.options) - self.read)
