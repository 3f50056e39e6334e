"""The OpenAPI 3.1 document of /api/v1, built from the report registry so every report is described."""
from __future__ import annotations

import importlib

from flask import current_app

from surveys.insights.figures import EXPORT_COLUMNS
from surveys.insights.reports.params import COMPARISONS
from webapp.reports.params import MAX_PARAM

NULLABLE_NUMBER = {"type": ["number", "null"]}
ERROR_STATUSES = {"400": "A parameter is missing, malformed or outside your scope; `parameter` names it.",
                  "401": "No API token, or one that is unknown, revoked, expired, or whose owner changed role.",
                  "403": "The report is not part of the token owner's role.",
                  "404": "No such report in the API.",
                  "429": "Too many requests with this token; see Retry-After."}


def _param(name: str, description: str, **schema) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "maxLength": MAX_PARAM, **schema}}


COMMON_PARAMETERS = [
    _param("program", "Employee program code (default: the one with the most responses)."),
    _param("wave", "Wave label (default: the latest closed wave)."),
    _param("unit", "Team code (default: the whole organisation, or a team lead's own subtree)."),
    _param("compare", "What team figures are compared with.", enum=list(COMPARISONS), default="org"),
]

FIGURE = {
    "type": "object",
    "description": "One number about one unit. A suppressed figure (fewer answers than the threshold) has "
                   "no value, n or interval, and its extra values are null too.",
    "required": list(EXPORT_COLUMNS),
    "properties": {
        "unit": {"type": "string", "description": "Team code, or ORG for the whole organisation."},
        "unit_name": {"type": "string"},
        "metric": {"type": "string", "description": "What the value measures (e.g. engagement, enps, response_rate)."},
        "period": {"type": ["string", "null"], "description": "Wave label, or a customer period."},
        "value": NULLABLE_NUMBER,
        "n": {"type": ["integer", "null"], "minimum": 0, "description": "Answers (or people) behind the value."},
        "ci_low": {**NULLABLE_NUMBER, "description": "Lower bound of the 95% interval."},
        "ci_high": {**NULLABLE_NUMBER, "description": "Upper bound of the 95% interval."},
        "suppressed": {"type": "boolean", "description": "True when the anonymity threshold hides the figure."},
    },
    # Reports add named extras per figure (change, change_low, change_high, significant, q_value, ...).
    "additionalProperties": {"type": ["number", "integer", "string", "boolean", "null"]},
}

REPORT = {
    "type": "object",
    "required": ["report", "title", "parameters", "threshold", "notes", "figures"],
    "properties": {
        "report": {"type": "string"},
        "title": {"type": "string"},
        "parameters": {"type": "object", "description": "The parameters as resolved (e.g. the default wave)."},
        "threshold": {"type": "integer", "description": "Smallest group shown (anonymity threshold)."},
        "notes": {"type": "array", "items": {"type": "string"}},
        "figures": {"type": "array", "items": {"$ref": "#/components/schemas/Figure"}},
    },
    "additionalProperties": False,
}

ERROR = {
    "type": "object",
    "required": ["error", "message", "status"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "status": {"type": "integer"},
                   "parameter": {"type": "string", "description": "The parameter to blame (400 only)."}},
}


def _options(name: str) -> list[dict]:
    """Parameters for a report's own options, when its module lists them as OPTIONS = {name: description}."""
    module = importlib.import_module(f"surveys.insights.reports.{name}")
    declared = getattr(module, "OPTIONS", {}) or {}
    out = []
    for key, spec in declared.items():
        description, choices = (spec, None) if isinstance(spec, str) else spec
        out.append(_param(key, description, **({"enum": list(choices)} if choices else {})))
    if not declared:  # options are free-form query parameters, checked by the report (400 naming it)
        out.append({"name": "options", "in": "query", "required": False, "style": "form", "explode": True,
                    "description": "Report-specific options as on the page, e.g. metric=csat.",
                    "schema": {"type": "object", "additionalProperties": {"type": "string", "maxLength": MAX_PARAM}}})
    return out


def _errors(*codes: str) -> dict:
    return {c: {"description": ERROR_STATUSES[c], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for c in codes}


def _report_path(name: str, title: str) -> dict:
    return {"get": {
        "operationId": f"report_{name}", "summary": f"{title} report",
        "description": f"The figures of /reports/{name}, exactly as `tandem report {name} --format json` prints them.",
        "tags": ["reports"], "parameters": COMMON_PARAMETERS + _options(name),
        "responses": {"200": {"description": "The report.", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Report"}}}}, **_errors("400", "401", "403", "429")}}}


def document() -> dict:
    """The OpenAPI 3.1 document: one path per report the API serves, the schemas, the bearer scheme."""
    from surveys.insights.reports import EXPORTABLE, REPORTS, available

    paths = {"/api/v1/reports": {"get": {
        "operationId": "list_reports", "summary": "The reports this token may read", "tags": ["reports"],
        "responses": {"200": {"description": "Report names, titles and URLs.", "content": {"application/json": {
            "schema": {"type": "object", "required": ["reports"], "properties": {"reports": {"type": "array", "items": {
                "type": "object", "required": ["name", "title", "url"], "properties": {
                    "name": {"type": "string"}, "title": {"type": "string"}, "url": {"type": "string"}}}}}}}}},
            **_errors("401", "429")}}}}
    for name in EXPORTABLE:
        if available(name):
            paths[f"/api/v1/reports/{name}"] = _report_path(name, REPORTS[name])
    paths["/api/v1/openapi.json"] = {"get": {
        "operationId": "openapi", "summary": "This document", "tags": ["meta"], "security": [],
        "responses": {"200": {"description": "The OpenAPI document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tandem report API", "version": "1.0.0",
                 "description": "Read-only leadership reports. Authenticate with a personal API token "
                                "(Authorization: Bearer tdm_...), made and revoked at /account/tokens. "
                                "Groups below the anonymity threshold are suppressed, as on every page."},
        "servers": [{"url": current_app.config.get("BASE_URL") or "/"}],
        "security": [{"bearerToken": []}],
        "tags": [{"name": "reports"}, {"name": "meta"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer",
                                                "description": "A personal API token (tdm_...)."}},
            "schemas": {"Report": REPORT, "Figure": FIGURE, "Error": ERROR},
        },
    }
