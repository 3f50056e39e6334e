"""CSV imports shared by the `tandem import` commands and the HR upload page.

Every import reads the whole file and checks every row before writing anything. A service returns an
ImportResult and never raises for a bad row (the rows are in `result.errors`); it raises a TandemError
for bad arguments (unknown program or wave), and Conflict if the database changed between the check and
the write (the caller then rolls back). It flushes its writes only when the file is valid and this is
not a dry run, so the caller commits exactly when `result.ok and not result.dry_run`.
"""
from __future__ import annotations

from dataclasses import dataclass

from surveys.ingestion.actions import ACTION_COLUMNS, import_actions
from surveys.ingestion.csvio import CsvSource
from surveys.ingestion.feedback import FEEDBACK_COLUMNS, customer_program, import_feedback
from surveys.ingestion.history import PastImport, recent_imports
from surveys.ingestion.outcomes import OUTCOME_COLUMNS, import_outcomes
from surveys.ingestion.org import (
    PASSWORD_HINT,
    PEOPLE_COLUMNS,
    TEAM_COLUMNS,
    import_org,
    import_org_files,
    import_org_people,
    import_org_teams,
    org_file_kind,
)
from surveys.ingestion.report import MAX_ERRORS, ImportResult, RowError
from surveys.ingestion.responses import FIXED_COLUMNS as RESPONSE_FIXED_COLUMNS
from surveys.ingestion.responses import employee_wave, import_history, import_responses
from surveys.ingestion.touchpoints import TOUCHPOINT_COLUMNS, import_touchpoints


@dataclass(frozen=True)
class FileFormat:
    """A file kind as the upload page and the README describe it."""

    kind: str
    label: str
    header: str
    example: str


FORMATS = (
    FileFormat("teams", "Organisation: teams", ",".join(TEAM_COLUMNS),
               "OPS,Operations,,ceo@example.com\nOPS-N,Operations North,OPS,lead@example.com"),
    FileFormat("people", "Organisation: people", ",".join(PEOPLE_COLUMNS),
               "ana@example.com,Ana Silva,OPS-N,employee\nlead@example.com,Lee Park,OPS-N,team_lead"),
    FileFormat("touchpoints", "Touchpoints", ",".join(TOUCHPOINT_COLUMNS),
               "WEB-CHECKOUT,Web checkout,web,OPS-N"),
    FileFormat("feedback", "Customer feedback", ",".join(FEEDBACK_COLUMNS),
               "WEB-CHECKOUT,2026-03-04,,5,9,,Quick and easy"),
    FileFormat("responses", "Historical employee responses", ",".join(RESPONSE_FIXED_COLUMNS) + ",<question codes>",
               "OPS-N,2025-03-10,4,5,3,8"),
    FileFormat("actions", "Action plans", ",".join(ACTION_COLUMNS),
               "OPS-N;OPS-S,Weekly stand-up on blockers,process,2026-01-05,2026-03-31,in progress,lead@example.com,,75,"
               "leaders"),
    FileFormat("outcomes", "Business outcomes", ",".join(OUTCOME_COLUMNS[:5]) + "[,label,direction,unit_of_measure]",
               "2026-03,OPS-N,churn_rate,3.2,1450\n2026-Q1,WEB-CHECKOUT,complaints,12,"),
)

__all__ = [
    "ACTION_COLUMNS", "FORMATS", "MAX_ERRORS", "OUTCOME_COLUMNS", "PASSWORD_HINT", "CsvSource", "FileFormat",
    "ImportResult", "PastImport", "RowError", "customer_program", "employee_wave", "import_actions", "import_feedback",
    "import_history", "import_org", "import_org_files", "import_org_people", "import_org_teams", "import_outcomes",
    "import_responses", "import_touchpoints", "org_file_kind", "recent_imports",
]
