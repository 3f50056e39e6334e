"""What the admin forms share: team choices and putting every domain error beside its field."""
from __future__ import annotations

from flask import flash
from sqlalchemy import select

from surveys.errors import ValidationError
from surveys.models import Team

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    def SelectChoice(value, label):  # noqa: N802
        return (value, label)


def team_choices(session) -> list:
    """Every team as a choice labelled with its path (Retail › Shop 12), sorted by that path."""
    teams = {t.id: t for t in session.scalars(select(Team))}

    def path(team: Team) -> str:
        names, seen = [], set()
        while team is not None and team.id not in seen:  # guard against a cycle in bad data
            seen.add(team.id)
            names.append(team.name)
            team = teams.get(team.parent_id)
        return " › ".join(reversed(names))

    labelled = sorted(((tid, path(t)) for tid, t in teams.items()), key=lambda c: c[1].lower())
    return [SelectChoice(str(tid), label) for tid, label in labelled]


def show_errors(form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put each of the error's messages beside its field; flash those naming no field of the form."""
    for name, messages in exc.field_errors.items():
        name = (aliases or {}).get(name, name)
        if name and name in form:
            known = list(form[name].errors)
            form[name].errors = known + [m for m in messages if m not in known]
        else:
            for message in messages:
                flash(message, "error")


def merge_domain_check(form, check) -> None:
    """After WTForms found errors, also run the domain's side-effect-free `check()` and add its errors
    to the fields WTForms passed, so one submit reports every problem."""
    try:
        check()
    except ValidationError as exc:
        for name, messages in exc.field_errors.items():
            if name and name in form and not form[name].errors:
                form[name].errors = list(messages)


def form_errors(form) -> str:
    """Every field error of a form in one sentence, for a flash message."""
    return " ".join(f"{getattr(form, name).label.text}: {' '.join(errs)}" for name, errs in form.errors.items()
                    ) or "the form was incomplete."
