"""Themes and sentiment on a small real corpus: labelled on submit, refresh, rules, merge, split, retention,
and the theme rollups always equal to a from-scratch rebuild."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys import rollups, themes
from surveys.collection import public_links, storage
from surveys.collection.public_links import RateLimit
from surveys.errors import NotFound, ValidationError
from surveys.models import AuditEvent, Question, ThemeModel, utcnow
from surveys.models.themes import ALL_COMMENTS, CommentLabel, CommentTheme, RollupThemeDay, RollupThemeWave, Theme
from surveys.retention import purge_comments
from surveys.themes import staff
from surveys.themes.listing import list_themes
from tests.analysis.text_corpus import CORPUS, PRICE, STAFF, WAIT

NOW = utcnow()
LIMIT = RateLimit(10_000, 3600)


@pytest.fixture
def cx(make):
    program = make.program(audience="customer", code="CX")
    wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    make.touchpoint(team=make.team(), code="DESK", channel="phone")
    return wave


def _submit(db_session, comment: str, csat: str = "4"):
    return public_links.submit_public(db_session, "CX", "DESK", {"eng1": [csat], "enps": ["8"], "comment": [comment]},
                                      client="k", limit=LIMIT, now=NOW)


def _themes_of(db_session, response_id: int) -> set[int]:
    return set(db_session.scalars(select(CommentTheme.theme_id).where(CommentTheme.response_id == response_id)))


def _by_topic(db_session) -> dict[str, Theme]:
    out = {}
    for t in db_session.scalars(select(Theme).where(Theme.audience == "customer")):
        words = set(t.words.replace(",", " ").split()[:6])
        for topic, known in (("wait", {"wait", "queue"}), ("price", {"price", "bill"}), ("staff", {"friendly", "staff"})):
            if words & known:
                out.setdefault(topic, t)
    return out


def _all_day(db_session) -> int:
    return db_session.scalar(select(func.coalesce(func.sum(RollupThemeDay.n), 0))
                             .where(RollupThemeDay.theme_id == ALL_COMMENTS))


@pytest.fixture
def learned(db_session, cx):
    ids = {text: _submit(db_session, text).id for text in CORPUS}
    result = themes.refresh(db_session, "customer", k=3)
    return ids, result


def test_sentiment_is_stored_on_submit_before_any_model(db_session, cx):
    good = _submit(db_session, "Wonderful, friendly and helpful staff!")
    bad = _submit(db_session, "Awful service, a terrible long wait.", csat="1")
    scores = dict(db_session.execute(select(CommentLabel.response_id, CommentLabel.sentiment)).all())
    assert scores[good.id] > 0.5 and scores[bad.id] < -0.5
    assert db_session.scalar(select(func.count()).select_from(CommentTheme)) == 0
    row = db_session.scalar(select(RollupThemeDay).where(RollupThemeDay.theme_id == ALL_COMMENTS))
    assert (row.n, row.negative) == (2, 1) and row.sentiment_sum == pytest.approx(scores[good.id] + scores[bad.id])
    assert rollups.verify(db_session) is None


def test_refresh_learns_the_three_topics_and_labels_every_comment(db_session, learned):
    ids, result = learned
    topics = _by_topic(db_session)
    assert set(topics) == {"wait", "price", "staff"} and len(result.themes) == 3
    for texts, topic in ((WAIT, "wait"), (PRICE, "price"), (STAFF, "staff")):
        assert sum(topics[topic].id in _themes_of(db_session, ids[t]) for t in texts) >= len(texts) - 1
    assert _all_day(db_session) == len(CORPUS)
    assert rollups.verify(db_session) is None
    assert db_session.scalar(select(AuditEvent.action).where(AuditEvent.action == "themes.refresh"))


def test_a_new_comment_is_classified_on_submit_and_counted_incrementally(db_session, learned):
    topics = _by_topic(db_session)
    response = _submit(db_session, "The queue today was long, what a wait")
    assert topics["wait"].id in _themes_of(db_session, response.id)
    assert _all_day(db_session) == len(CORPUS) + 1
    assert rollups.verify(db_session) is None


def test_an_employee_comment_through_the_insert_path_counts_per_wave_and_team(db_session, make, learned):
    wave = make.wave()
    team = make.team()
    comment = db_session.scalar(select(Question).where(Question.survey_id == wave.survey_id, Question.qtype == "text"))
    storage.store_response(db_session, wave=wave, team_id=team.id, source="invitation",
                           parsed={comment: (None, "My manager never listens and I feel ignored")}, today=NOW.date())
    row = db_session.scalar(select(RollupThemeWave).where(RollupThemeWave.wave_id == wave.id,
                                                         RollupThemeWave.theme_id == ALL_COMMENTS))
    assert (row.team_id, row.n, row.negative) == (team.id, 1, 1)
    assert rollups.verify(db_session) is None


def test_a_renamed_theme_keeps_its_name_through_a_refresh(db_session, learned):
    wait = _by_topic(db_session)["wait"]
    staff.rename(db_session, wait.id, "Queues at the desk")
    result = themes.refresh(db_session, "customer", k=3)
    assert "Queues at the desk" in result.kept_names
    assert db_session.get(Theme, wait.id).name == "Queues at the desk"
    with pytest.raises(ValidationError, match="name"):
        staff.rename(db_session, wait.id, "  ")
    with pytest.raises(NotFound, match="no theme 999999"):
        staff.rename(db_session, 999999, "x")


def test_a_keyword_rule_labels_old_and_new_comments_by_whole_word(db_session, learned):
    price = _by_topic(db_session)["price"]
    old = _submit(db_session, "Parking was a nightmare")
    near = _submit(db_session, "The parkingmeter ate my coins")
    staff.add_rule(db_session, price.id, "parking")
    assert price.id in _themes_of(db_session, old.id) and price.id not in _themes_of(db_session, near.id)
    assert db_session.scalar(select(CommentTheme.by_rule).where(CommentTheme.response_id == old.id,
                                                                CommentTheme.theme_id == price.id))
    new = _submit(db_session, "PARKING again!")
    assert price.id in _themes_of(db_session, new.id)
    assert rollups.verify(db_session) is None
    with pytest.raises(ValidationError, match="already has the rule"):
        staff.add_rule(db_session, price.id, "Parking")
    assert staff.remove_rule(db_session, price.id, "parking") == 2
    assert price.id not in _themes_of(db_session, old.id)
    assert rollups.verify(db_session) is None


def test_merge_moves_comments_and_teaches_the_model(db_session, learned):
    ids, _ = learned
    topics = _by_topic(db_session)
    wait, friendly = topics["wait"], topics["staff"]
    staff.add_rule(db_session, wait.id, "door")
    models = db_session.scalar(select(func.count()).select_from(ThemeModel))
    staff.merge(db_session, wait.id, friendly.id)
    assert db_session.get(Theme, wait.id) is None
    assert friendly.id in _themes_of(db_session, ids[WAIT[0]])
    assert [r.keyword for r in friendly.rules] == ["door"]
    assert db_session.scalar(select(func.count()).select_from(ThemeModel)) == models + 1
    response = _submit(db_session, "Long wait in the queue")
    assert friendly.id in _themes_of(db_session, response.id)
    assert rollups.verify(db_session) is None
    with pytest.raises(ValidationError, match="itself"):
        staff.merge(db_session, friendly.id, friendly.id)


def test_split_makes_two_themes_from_one(db_session, learned):
    topics = _by_topic(db_session)
    staff.merge(db_session, topics["wait"].id, topics["price"].id)
    kept, other = staff.split(db_session, topics["price"].id)
    names = {kept.id: set(kept.words.split(",")[:4]), other.id: set(other.words.split(",")[:4])}
    # One half is about waiting, the other about the bill.
    assert any(n & {"wait", "queue", "long"} for n in names.values())
    assert any(n & {"price", "bill"} for n in names.values())
    assert {t.id for t in list_themes(db_session, "customer")} >= {kept.id, other.id}
    assert rollups.verify(db_session) is None
    manual = staff.create_manual(db_session, "customer", "Parking", "parking")
    with pytest.raises(ValidationError, match="made by hand"):
        staff.split(db_session, manual.id)


def test_deactivate_drops_labels_and_rollups(db_session, learned):
    price = _by_topic(db_session)["price"]
    staff.set_active(db_session, price.id, False)
    assert db_session.scalar(select(func.count()).select_from(CommentTheme).where(CommentTheme.theme_id == price.id)) == 0
    assert not db_session.scalar(select(RollupThemeDay.n).where(RollupThemeDay.theme_id == price.id))
    response = _submit(db_session, "The bill price is wrong")
    assert price.id not in _themes_of(db_session, response.id)
    assert rollups.verify(db_session) is None


def test_retention_takes_the_labels_of_blanked_comments(db_session, learned):
    assert _all_day(db_session) == len(CORPUS)
    purge_comments(db_session, NOW.date() + dt.timedelta(days=40), 30)
    assert db_session.scalar(select(func.count()).select_from(CommentLabel)) == 0
    assert _all_day(db_session) == 0
    assert rollups.verify(db_session) is None


def test_refresh_refuses_too_few_comments_and_a_bad_audience(db_session, cx):
    _submit(db_session, "Fine")
    with pytest.raises(ValidationError, match="at least 20"):
        themes.refresh(db_session, "customer")
    with pytest.raises(ValidationError, match="Audience must be one of"):
        themes.refresh(db_session, "martians")


def test_rollup_rebuild_gives_the_same_theme_rows(db_session, learned):
    _submit(db_session, "Friendly staff but a long queue")
    before = sorted(db_session.execute(select(RollupThemeDay.theme_id, RollupThemeDay.n, RollupThemeDay.negative)).all())
    rollups.rebuild(db_session)
    assert sorted(db_session.execute(select(RollupThemeDay.theme_id, RollupThemeDay.n,
                                            RollupThemeDay.negative)).all()) == before


def test_a_manual_theme_merged_into_takes_the_component_until_the_next_refresh(db_session, learned):
    topics = _by_topic(db_session)
    manual = staff.create_manual(db_session, "customer", "Queues", "queue")
    staff.merge(db_session, topics["wait"].id, manual.id)
    assert manual.component is not None
    response = _submit(db_session, "A long wait today")  # no rule keyword: the model gives it
    assert manual.id in _themes_of(db_session, response.id)
    themes.refresh(db_session, "customer", k=3)
    assert manual.component is None and manual.source == "manual"
    assert rollups.verify(db_session) is None


def test_an_imported_file_is_labelled_in_the_same_transaction(db_session, make):
    import io

    from surveys.ingestion import import_responses

    questions = [{"code": "eng1", "qtype": "likert5", "dimension": "engagement"},
                 {"code": "comment", "qtype": "text", "dimension": "comment", "required": False}]
    program = make.program(survey=make.survey(questions=questions), code="EXI")
    make.wave(program, label="2025-Q1", opens_at=dt.datetime(2025, 1, 1), days=90, status="closed")
    make.team(code="OPS")
    csv = ("team_code,submitted_on,eng1,comment\nOPS,2025-02-03,4,Wonderful colleagues and a great manager\n"
           "OPS,2025-02-04,2,Awful tools and terrible hours\nOPS,2025-02-05,3,\n")
    result = import_responses(db_session, io.BytesIO(csv.encode()), program_code="EXI", wave_label="2025-Q1")
    assert result.ok
    row = db_session.scalar(select(RollupThemeWave).where(RollupThemeWave.theme_id == ALL_COMMENTS))
    assert (row.n, row.negative) == (2, 1)
    assert rollups.verify(db_session) is None


def test_a_flagged_flood_leaves_the_theme_rollups_until_released(db_session, cx):
    from surveys.collection import floods

    _submit(db_session, "Lovely friendly staff")
    held = _submit(db_session, "Terrible, awful, the worst")
    floods.flag(db_session, [held.id])
    assert _all_day(db_session) == 1 and rollups.verify(db_session) is None
    floods.release(db_session, "CX", "DESK", NOW.date())
    assert _all_day(db_session) == 2 and rollups.verify(db_session) is None
