"""Historical employee results from another tool: `team_code,submitted_on,<question_code>...`,
one row per respondent, into one wave of an employee program. No row names a person."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.errors import NotFound, ValidationError
from surveys.fieldwork import past_waves
from surveys.ingestion import bulk, cells
from surveys.ingestion.csvio import CsvSource
from surveys.ingestion.report import ImportResult, Report, RowCheck
from surveys.models import Invitation, Program, Question, Team, Wave
from surveys.org.hierarchy import team_scope

FIXED_COLUMNS = ("team_code", "submitted_on")


def employee_wave(session: Session, program_code: str, wave_label: str) -> Wave:
    """The wave `wave_label` of employee program `program_code`, or a clear error."""
    program = session.scalar(select(Program).where(Program.code == program_code))
    if program is None:
        raise NotFound(f"There is no program with code '{program_code}'.")
    if program.audience != "employee":
        raise ValidationError(f"Program {program_code} is a customer program; import customer feedback with "
                              "the feedback import instead.", field="program")
    wave = session.scalar(select(Wave).where(Wave.program_id == program.id, Wave.label == wave_label))
    if wave is None:
        labels = ", ".join(session.scalars(select(Wave.label).where(Wave.program_id == program.id)
                                           .order_by(Wave.opens_at))) or "none yet"
        raise NotFound(f"Program {program_code} has no wave '{wave_label}' (its waves: {labels}).")
    return wave


def _how_to_add(program_code: str) -> str:
    return (f"import them into a past wave: tandem import history --program {program_code} --label LABEL "
            f"--opens YYYY-MM-DD --closes YYYY-MM-DD FILE (or, on the program page, {past_waves.ADD_PAST_WAVE})")


def check_importable(session: Session, wave: Wave) -> None:
    """Refuse, with the reason, a wave whose imported rows no report would count or that Tandem surveys."""
    code = wave.program.code
    if wave.historical:
        return
    if wave.status == "draft":
        raise ValidationError(f"Wave {wave.label} of program {code} is still a draft: it never ran, and reports "
                              "count only waves that ran, so the imported rows would never be shown. To bring in "
                              f"results of a survey run before Tandem, {_how_to_add(code)}.", field="wave")
    if wave.status == "open":
        raise ValidationError(f"Wave {wave.label} of program {code} is open and collects answers through "
                              f"Tandem; imported rows cannot be mixed into it. To bring in past results, "
                              f"{_how_to_add(code)}.", field="wave")
    if session.scalar(select(Invitation.id).where(Invitation.wave_id == wave.id).limit(1)) is not None:
        # Mixing imported rows into a wave Tandem surveys itself would let whoever imports add known
        # rows to a small team and recover the real count by subtraction.
        raise ValidationError(f"Wave {wave.label} collected answers through Tandem's own invitations; historical "
                              f"results can only go into a wave that sent none: {_how_to_add(code)}.", field="wave")


def import_history(session: Session, file_obj, *, program_code: str, label: str, opens_on: dt.date | None,
                   closes_on: dt.date | None, now: dt.datetime, min_group_size: int, min_comment_group_size: int,
                   dry_run: bool = False, actor_id: int | None = None) -> ImportResult:
    """Create the past wave `label` if needed and import the employee results into it (all or nothing).

    The wave is only flushed: the caller commits exactly when the result is ok and not a dry run, so a
    rejected file or a check leaves no wave behind.
    """
    program = session.scalar(select(Program).where(Program.code == program_code))
    if program is None:
        raise NotFound(f"There is no program with code '{program_code}'.")
    if program.audience != "employee":
        raise ValidationError(f"Program {program_code} is a customer program; import customer feedback with "
                              "`tandem import feedback` instead (it creates past waves by itself).", field="program")
    wave, created = past_waves.past_wave_for(
        session, program, label, opens_on, closes_on, now=now, min_group_size=min_group_size,
        min_comment_group_size=min_comment_group_size, actor_id=actor_id)
    result = import_responses(session, file_obj, program_code=program.code, wave_label=wave.label, dry_run=dry_run,
                              actor_id=actor_id)
    if not (created and result.ok):
        return result
    last = (wave.closes_at - dt.timedelta(days=1)).date()
    change = (f"{'create' if dry_run else 'created'} past wave {wave.label} ({wave.opens_at:%Y-%m-%d} to "
              f"{last.isoformat()}, closed, for imported results only)")
    return replace(result, changes=(change, *result.changes), change_count=result.change_count + 1)


def import_responses(session: Session, file_obj, *, program_code: str, wave_label: str, dry_run: bool = False,
                     actor_id: int | None = None) -> ImportResult:
    """Check every row, then add one anonymous response per row to the wave (all or nothing)."""
    source = file_obj if isinstance(file_obj, CsvSource) else CsvSource(file_obj)
    wave = employee_wave(session, program_code, wave_label)
    check_importable(session, wave)
    report = Report("responses", dry_run)
    questions = {q.code: cells.QuestionInfo.of(q) for q in session.scalars(
        select(Question).where(Question.survey_id == wave.survey_id).order_by(Question.position))}
    header = source.read_header(report, required=FIXED_COLUMNS, optional=tuple(questions),
                                canonical=_canonical(questions))
    if header is None:
        return report.result()
    present = [c for c in header.columns if c in questions]
    if not present:
        report.error(header.line, None, f"The file has no question column; the questions of wave {wave.label} are: "
                                        f"{', '.join(questions)}.")
        return report.result()
    team_ids = dict(session.execute(select(Team.code, Team.id)).all())
    team_lower = cells.by_lower(team_ids)
    program = wave.program
    in_scope = None
    if program.teams:  # an empty list means the whole organisation
        in_scope = {tid for t in program.teams for tid in team_scope(session, t.id)}
    first_day, last_day = cells.day_window(wave.opens_at, wave.closes_at)
    parse_answer = cells.answer_memo()
    asked = [(col, questions[col]) for col in present]
    wave_id = wave.id  # read once: an ORM attribute per row adds up over a large file

    def validate(line: int, row: dict[str, str], check: RowCheck) -> bulk.NewResponse | None:
        code = row["team_code"]
        team_id = team_ids.get(code)
        if not code:
            check.fail("team_code", "The team code is blank.")
        elif team_id is None:
            check.fail("team_code", f"Unknown team '{code}'.{cells.did_you_mean(code, team_lower)}")
        elif in_scope is not None and team_id not in in_scope:
            check.fail("team_code", f"Team {code} is not one of the teams program {program.code} surveys.")
        day = check.cell("submitted_on", cells.iso_date, row["submitted_on"])
        if day and not first_day <= day <= last_day:
            check.fail("submitted_on", f"{day.isoformat()} is outside wave {wave.label} "
                                       f"({first_day.isoformat()} to {last_day.isoformat()}).")
        answers = []
        for col, question in asked:
            raw = row[col]
            if raw:
                try:
                    value, text = parse_answer(raw, question)
                except cells.CellError as exc:
                    check.fail(col, str(exc))
                else:
                    answers.append((question, value, text))
        if check.ok and not answers:
            check.fail(None, "The row has no answers.")
        if not check.ok:
            return None
        return bulk.NewResponse(wave_id=wave_id, team_id=team_id, submitted_on=day, answers=tuple(answers))

    return bulk.run(session, source, report, validate, wave_labels={wave.id: wave.label}, actor_id=actor_id,
                    entity_type="wave", entity_id=wave.id, detail={"program": program.code, "wave": wave.label})


def _canonical(questions: dict):
    """Fixed columns match case-insensitively; question codes exactly, or case-insensitively if unambiguous."""
    lowered: dict[str, list[str]] = {}
    for code in questions:
        lowered.setdefault(code.lower(), []).append(code)

    def canonical(raw: str) -> str | None:
        name = raw.strip()
        if name.lower() in FIXED_COLUMNS:
            return name.lower()
        if name in questions:
            return name
        matches = lowered.get(name.lower(), [])
        return matches[0] if len(matches) == 1 else None

    return canonical
