"""Customer feedback from other channels (`touchpoint,date,channel,csat,nps,ces,comment`, and optionally
`contact_name,contact_email,contact_phone,contact_consent` for customers who agreed to be contacted).

Each row becomes one imported response in the customer program's wave that covers its date, or, before
the program's first wave, in a past wave created for it (see feedback_waves).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.errors import NotFound, ValidationError
from surveys.ingestion import bulk, cells
from surveys.ingestion.csvio import CsvSource
from surveys.ingestion.feedback_waves import WavePicker
from surveys.ingestion.report import ImportResult, Report, RowCheck
from surveys.models import CHANNELS, Program, Question, Touchpoint, Wave, utcnow
from surveys.voice import contacts

REQUIRED_COLUMNS = ("touchpoint", "date")
ANSWER_COLUMNS = ("csat", "nps", "ces", "comment")
CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone", "contact_consent")
FEEDBACK_COLUMNS = ("touchpoint", "date", "channel", *ANSWER_COLUMNS, *CONTACT_COLUMNS)


def customer_program(session: Session, code: str | None) -> Program:
    """The program named by `code`, or the only active customer program; a clear error otherwise."""
    if code:
        program = session.scalar(select(Program).where(Program.code == code))
        if program is None:
            raise NotFound(f"There is no program with code '{code}'.")
        if program.audience != "customer":
            raise ValidationError(f"Program {code} is an employee program; feedback goes to a customer program.",
                                  field="program")
        return program
    programs = list(session.scalars(select(Program).where(Program.audience == "customer", Program.active)
                                    .order_by(Program.code)))
    if not programs:
        raise ValidationError("There is no active customer program; create one (with its waves) before "
                              "importing feedback.", field="program")
    if len(programs) > 1:
        codes = ", ".join(p.code for p in programs)
        raise ValidationError(f"There are several customer programs ({codes}); choose one "
                              "(on the command line: --program CODE).", field="program")
    return programs[0]


def import_feedback(session: Session, file_obj, *, program_code: str | None = None, dry_run: bool = False,
                    actor_id: int | None = None, now: dt.datetime | None = None, min_group_size: int = 5,
                    min_comment_group_size: int = 10,
                    case_due_days: int = contacts.cases.DEFAULT_DUE_WORKING_DAYS) -> ImportResult:
    """Check every row, then add one response per row to the wave covering its date (all or nothing).

    Days before the program's first wave that no wave covers go into past waves created for them
    (see feedback_waves); the thresholds are frozen into those waves.
    """
    now = now or utcnow()
    source = file_obj if isinstance(file_obj, CsvSource) else CsvSource(file_obj)
    program = customer_program(session, program_code)
    report = Report("feedback", dry_run)
    header = source.read_header(report, required=REQUIRED_COLUMNS,
                                optional=tuple(c for c in FEEDBACK_COLUMNS if c not in REQUIRED_COLUMNS))
    if header is None:
        return report.result()
    present = [c for c in ANSWER_COLUMNS if c in header.columns]
    if not present:
        report.error(header.line, None, f"The file has no answer column; add at least one of "
                                        f"{', '.join(ANSWER_COLUMNS)}.")
        return report.result()
    orm_waves = list(session.scalars(select(Wave).where(Wave.program_id == program.id).order_by(Wave.opens_at)))
    wave_labels = {w.id: w.label for w in orm_waves}
    picker = WavePicker(session, program, orm_waves, report, now=now, labels=wave_labels,
                        wave_args={"min_group_size": min_group_size, "actor_id": actor_id,
                                   "min_comment_group_size": min_comment_group_size})
    waves = picker.waves
    if not waves:
        report.error(None, None, f"Program {program.code} has no waves; create the waves the feedback belongs "
                                 "to first.")
        return report.result()
    questions: dict[int, dict[str, cells.QuestionInfo]] = {}
    survey_ids = {w.survey_id for w in waves} | {program.survey_id}  # past waves ask the program's survey
    for q in session.scalars(select(Question).where(Question.survey_id.in_(survey_ids),
                                                    Question.code.in_(ANSWER_COLUMNS))):
        questions.setdefault(q.survey_id, {})[q.code] = cells.QuestionInfo.of(q)
    fallback = {code: q for w in waves for code, q in questions.get(w.survey_id, {}).items()}
    touchpoints = {r[0]: r[1:] for r in session.execute(
        select(Touchpoint.code, Touchpoint.id, Touchpoint.team_id, Touchpoint.channel))}
    tp_lower = cells.by_lower(touchpoints)
    parse_answer = cells.answer_memo()

    def validate(line: int, row: dict[str, str], check: RowCheck) -> bulk.NewResponse | None:
        tp = touchpoints.get(row["touchpoint"])
        if tp is None:
            check.fail("touchpoint", f"Unknown touchpoint '{row['touchpoint']}'."
                       f"{cells.did_you_mean(row['touchpoint'], tp_lower)}" if row["touchpoint"]
                       else "The touchpoint is blank.")
        day = check.cell("date", cells.iso_date, row["date"])
        channel = row.get("channel", "")
        channel = check.cell("channel", cells.choice, channel, CHANNELS, "channel") if channel else None
        wave = picker.wave_for(day) if day and day <= now.date() else None
        if day and wave is None:
            check.fail("date", picker.why_not(day))
        answers, given = [], False
        for col in present:
            raw = row[col]
            if not raw:
                continue
            given = True
            if wave is None:  # still check the value, against the newest survey asking it
                question = fallback.get(col)
                if question is not None:
                    check.cell(col, parse_answer, raw, question)
                continue
            question = questions.get(wave.survey_id, {}).get(col)
            if question is None:
                check.fail(col, f"The survey of wave {wave.label} has no '{col}' question; leave this column blank.")
                continue
            parsed = check.cell(col, parse_answer, raw, question)
            if parsed is not None:
                answers.append((question, *parsed))
        if not given:
            check.fail(None, f"The row has no score and no comment; fill at least one of {', '.join(present)}.")
        contact = _contact(row, check, case_due_days)
        if not check.ok:
            return None
        return bulk.NewResponse(wave_id=wave.id, team_id=tp[1], submitted_on=day, answers=tuple(answers),
                                touchpoint_id=tp[0], channel=channel or tp[2], contact=contact)

    return bulk.run(session, source, report, validate, wave_labels=wave_labels, actor_id=actor_id,
                    entity_type="program", entity_id=program.id, detail={"program": program.code},
                    before_insert=picker.create_planned, now=now)


def _contact(row: dict[str, str], check: RowCheck, due_days: int) -> contacts.ContactRequest | None:
    """The row's contact columns: checked details when contact_consent is yes, None when they are all blank."""
    consent = (row.get("contact_consent") or "").strip().lower()
    given = [c for c in CONTACT_COLUMNS[:3] if (row.get(c) or "").strip()]
    if consent not in contacts.YES + contacts.NO:
        check.fail("contact_consent", f"contact_consent must be yes or no, not '{consent[:20]}'.")
        return None
    if consent not in contacts.YES:
        if given:
            check.fail("contact_consent", f"The row has {', '.join(given)} but contact_consent is not yes; "
                                          "contact details are kept only with consent (set yes, or blank them).")
        return None
    try:
        return contacts.check_contact(row.get("contact_name"), row.get("contact_email"), row.get("contact_phone"),
                                      due_days)
    except contacts.ContactInvalid as exc:
        for column, message in exc.errors.items():
            check.fail(column, message)
        return None
