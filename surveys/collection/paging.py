"""How a survey's questions are split into the pages a respondent sees."""
from __future__ import annotations

from collections.abc import Sequence

from surveys.models import Invitation, Question

QUESTIONS_PER_PAGE = 6


def paginate(questions: Sequence[Question], per_page: int = QUESTIONS_PER_PAGE) -> list[list[Question]]:
    """Split questions into pages: consecutive runs of one dimension, packed up to `per_page` each."""
    runs: list[list[Question]] = []
    for q in questions:
        if runs and runs[-1][0].dimension == q.dimension:
            runs[-1].append(q)
        else:
            runs.append([q])
    pages: list[list[Question]] = []
    for run in runs:
        for start in range(0, len(run), per_page):
            chunk = run[start:start + per_page]
            # A short run joins the previous page when it fits, so a survey is not 12 tiny pages.
            if pages and len(pages[-1]) + len(chunk) <= per_page and start == 0:
                pages[-1].extend(chunk)
            else:
                pages.append(list(chunk))
    return pages or [[]]


def invitation_pages(invitation: Invitation) -> list[list[Question]]:
    """Pages of an invitation's form: employees page through, a customer contact gets one page."""
    questions = invitation.wave.survey.questions
    if invitation.touchpoint_id is not None:
        return [list(questions)]
    return paginate(questions)
