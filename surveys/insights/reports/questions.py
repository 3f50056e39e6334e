"""Questions report: every item's answer distribution for the organisation or one unit, one wave.

Per item: % favourable, neutral and unfavourable (agreement items: top two, middle and bottom two
points, reversed for reverse-keyed items; 0-10 items: promoters 9-10, passives 7-8, detractors 0-6),
each answer option's share with its Wilson interval, and the change in the favourable share since the
previous wave (Newcombe's interval). Read from rollup_item_options (answers per wave x team x question x
value) and rollup_items; a unit's item is hidden below the threshold, and where complementary
suppression hides it in the hierarchy (cells.hidden_units), so no item shows here that the heatmap hides.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.metrics import AGREEMENT_TYPES, is_detractor, is_favourable, is_promoter
from analysis.summaries import Sums, difference, share
from surveys.insights.figures import ORG, Figure, Report, figure, hidden
from surveys.insights.reports.cells import hidden_for
from surveys.insights.reports.common import (ReportParams, ReportSettings, Scope, Tree, item_sums, resolve_unit,
                                             unit_label, wave_context)
from surveys.instruments.question_types import get_type
from surveys.models.rollups import RollupItemOption

NUMERIC = AGREEMENT_TYPES + ("scale0_10", "single_choice")
BANDS = ("favourable", "neutral", "unfavourable")
BAND_LABELS = {"scale0_10": ("Promoters (9-10)", "Passives (7-8)", "Detractors (0-6)"),
               "agreement": ("Favourable", "Neutral", "Unfavourable")}
CHANGE = ("previous", "change", "change_low", "change_high", "significant")


def band(question, value: int) -> str | None:
    """The band of one answer: favourable, neutral or unfavourable (None for a choice question)."""
    if question.qtype == "scale0_10":
        return "favourable" if is_promoter(value) else "unfavourable" if is_detractor(value) else "neutral"
    if question.qtype not in AGREEMENT_TYPES:
        return None
    if is_favourable(value, question.scale_min, question.scale_max, question.reverse_keyed):
        return "favourable"
    # Unfavourable: the bottom TOP_BOX points (the top ones on a reverse-keyed item), mirroring favourable.
    if is_favourable(question.scale_min + question.scale_max - value, question.scale_min, question.scale_max,
                     question.reverse_keyed):
        return "unfavourable"
    return "neutral"


def option_labels(question) -> list[tuple[int, str]]:
    """(stored value, label) of every answer a question allows, lowest first."""
    lo, hi = question.scale_min, question.scale_max
    if question.qtype == "single_choice":
        return list(enumerate(question.choices or []))
    names = question.choices if question.choices and len(question.choices) == hi - lo + 1 \
        else get_type(question.qtype).anchors
    if len(names) == hi - lo + 1:
        return [(v, f"{v} {names[v - lo]}") for v in range(lo, hi + 1)]
    return [(v, str(v)) for v in range(lo, hi + 1)]


def counts(session: Session, wave_ids: list[int], team_ids: list[int] | None) -> dict:
    """(wave id, question id) -> {value: answers} summed over the teams (every team when None), in SQL."""
    r = RollupItemOption
    stmt = (select(r.wave_id, r.question_id, r.value, func.sum(r.n)).where(r.wave_id.in_(wave_ids))
            .group_by(r.wave_id, r.question_id, r.value))
    if team_ids is not None:
        stmt = stmt.where(r.team_id.in_(team_ids))
    out: dict = defaultdict(dict)
    for wave_id, question_id, value, n in session.execute(stmt):
        out[(wave_id, question_id)][int(value)] = int(n)
    return out


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """Answer distributions of every item of the wave's survey for one unit (the organisation by default)."""
    program, waves, wave, prev = wave_context(session, params)
    questions = sorted((q for q in wave.survey.questions if q.qtype in NUMERIC), key=lambda q: q.position)
    dims = sorted({q.dimension for q in questions if q.dimension})
    dimension = params.option("dimension", None, dims)
    questions = [q for q in questions if dimension is None or q.dimension == dimension]
    tree = Tree(session)
    unit = resolve_unit(tree, params.unit, scope)
    code, name = unit_label(tree, unit)
    me = ORG if unit is None else unit  # as cells.hidden_units names units
    k = max(settings.min_group_size, wave.min_group_size)
    ids = [wave.id] + ([prev.id] if prev else [])
    sums = item_sums(session, ids)
    found = counts(session, ids, None if unit is None else tree.subtree(unit))
    before = {q.code: q for q in (prev.survey.questions if prev else [])}
    figures: list[Figure] = []
    for q in questions:
        key, past = f"q{q.id}", before.get(q.code)
        shown = me not in hidden_for(tree, sums, wave.id, key, k)
        prev_ok = past is not None and me not in hidden_for(tree, sums, prev.id, f"q{past.id}", k)
        now = found.get((wave.id, q.id), {})
        then = found.get((prev.id, past.id), {}) if prev_ok else {}
        figures.extend(_item(q, code, name, now if shown else {}, then, wave.label, k, settings.confidence))
    params_out = {"program": program.code, "wave": wave.label, "unit": params.unit or None,
                  "dimension": dimension}
    layout = [{"question": q, "bands": BAND_LABELS["scale0_10" if q.qtype == "scale0_10" else "agreement"]
               if band(q, q.scale_min) else (), "options": option_labels(q)} for q in questions]
    by_metric = {f.metric: f for f in figures}
    notes = (f"An item is shown for a unit only when at least {k} people answered it (and not where a hidden "
             "team could be worked out from it); each share has its 95% Wilson interval.",
             "Favourable: the top two points of an agreement scale (the bottom two on a reverse-keyed item), "
             "unfavourable the bottom two, neutral the rest; on 0-10 items promoters (9-10), passives (7-8) "
             "and detractors (0-6).",
             "Change: the favourable share now minus in the previous wave, with Newcombe's 95% interval; "
             "'significant' when that interval excludes 0.")
    return Report("questions", "Questions", params_out, tuple(figures), notes,
                  context={"program": program, "wave": wave, "previous": prev, "unit_name": name,
                           "rows": layout, "cells": by_metric, "dimensions": dims}, threshold=k)


def _item(q, code, name, now: dict, then: dict, period, k, confidence) -> list[Figure]:
    """The figures of one item for one unit: its bands (favourable first, with the change), then options."""
    n = sum(now.values())
    out = []
    if band(q, q.scale_min) is not None:
        tally = {b: sum(c for v, c in now.items() if band(q, v) == b) for b in BANDS}
        past = {b: sum(c for v, c in then.items() if band(q, v) == b) for b in BANDS}
        for b in BANDS:
            extra = dict.fromkeys(CHANGE) if b == "favourable" else {}
            f = figure(code, name, f"{q.code}.{b}", share(tally[b], n, confidence) if n else None, k,
                       period=period, **extra)
            if b == "favourable" and not f.suppressed and sum(then.values()) >= k:
                m = sum(then.values())
                ch = difference(Sums("share", n, tally[b], 0.0, 100.0), Sums("share", m, past[b], 0.0, 100.0),
                                confidence)
                r = lambda x: round(float(x), 1)  # noqa: E731
                f = Figure(f.unit, f.unit_name, f.metric, f.value, f.n, f.ci_low, f.ci_high, period=period,
                           extra=(("previous", r(100 * past[b] / m)), ("change", r(ch.change)),
                                  ("change_low", r(ch.ci_low)), ("change_high", r(ch.ci_high)),
                                  ("significant", bool(ch.significant))))
            out.append(f)
    for value, label in option_labels(q):
        metric = f"{q.code}.option.{value}"
        out.append(figure(code, name, metric, share(now.get(value, 0), n, confidence), k, period=period,
                          answer=label) if n >= k else hidden(code, name, metric, period, ("answer",)))
    return out
