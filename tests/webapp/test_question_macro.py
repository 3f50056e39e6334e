"""The one question macro (respondent form and HR preview) shows a question's own point labels."""
from __future__ import annotations

from types import SimpleNamespace

LABELS = ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied", "Very satisfied"]


def _render(app, question) -> str:
    with app.test_request_context("/"):
        macro = app.jinja_env.get_template("_macros/questions.html").module.render_question
        return str(macro(question))


def test_satisfaction_labels_replace_agreement_words(app):
    csat = SimpleNamespace(code="csat", text="How satisfied are you?", qtype="likert5", required=True,
                           choices=LABELS)
    html = _render(app, csat)
    assert "Very satisfied" in html and "Strongly agree" not in html


def test_agreement_words_by_default(app):
    item = SimpleNamespace(code="eng1", text="I am proud", qtype="likert5", required=True, choices=None)
    assert "Strongly agree" in _render(app, item)
