"""Phrase banks for demo comments, chosen by topic and tone so the comment views have something real."""
from __future__ import annotations

import numpy as np

from demo.model import DIMENSIONS

EMPLOYEE = {
    ("engagement", "pos"): ("I genuinely enjoy coming to work here.",
                            "Proud of what we achieved this month as a team.",
                            "Still feel motivated, even in the busy weeks."),
    ("engagement", "neg"): ("Feeling worn out and not sure how long I can keep this pace.",
                            "I have started to look around for other jobs.",
                            "Hard to stay motivated when nothing seems to change."),
    ("culture", "pos"): ("People here are honest with each other, which I value.",
                         "I felt safe raising a problem in the team meeting.",
                         "We live our values more than most places I have worked."),
    ("culture", "neg"): ("Ideas from the floor never seem to go anywhere.",
                         "There is a gap between the values on the wall and how people behave.",
                         "Some people get treated differently depending on their role."),
    ("people", "pos"): ("My manager really backs me up when things go wrong.",
                        "Great colleagues, always willing to help out.",
                        "Nice to have my work recognised in the team huddle."),
    ("people", "neg"): ("I rarely get time with my manager.",
                        "Good work goes unnoticed unless you shout about it.",
                        "We are short-staffed and everyone is stretched."),
    ("process", "pos"): ("The new escalation process has made a real difference for customers.",
                         "Hand-offs between teams are much smoother now.",
                         "Our procedures make it easy to do the right thing for customers."),
    ("process", "neg"): ("Too many approvals needed for simple refunds.",
                         "Cases get lost when they move between teams.",
                         "We spend more time on forms than on customers."),
    ("technology", "pos"): ("The new laptops and headsets are a big improvement.",
                            "Finding customer history is quick now.",
                            "IT fixed my issue the same day."),
    ("technology", "neg"): ("The order system freezes several times a day.",
                            "I need four different screens to answer one question.",
                            "The knowledge base is out of date and hard to search."),
}

CUSTOMER = {
    "pos": ("Quick and friendly, sorted in one go.", "The person I spoke to really listened.",
            "Easy from start to finish.", "Great service, will definitely come back.",
            "Helpful staff who knew the products well."),
    "neg": ("I had to explain my problem three times.", "Took far too long to get an answer.",
            "Nobody followed up as promised.", "The refund process is confusing.",
            "Friendly enough but my issue is still not fixed."),
}


def employee_comments(rng: np.random.Generator, scores: np.ndarray, rate: float) -> list[str | None]:
    """Comments for responses whose dimension scores are `scores` (n x 5, in DIMENSIONS order)."""
    n = scores.shape[0]
    has = rng.random(n) < rate
    pick = rng.integers(0, 3, size=n)
    positive = scores.mean(axis=1) > 0.8
    # People write about what stands out: their best dimension when happy, their worst when not.
    topic = np.where(positive, scores.argmax(axis=1), scores.argmin(axis=1))
    return [EMPLOYEE[(DIMENSIONS[t], "pos" if p else "neg")][k] if h else None
            for h, p, t, k in zip(has.tolist(), positive.tolist(), topic.tolist(), pick.tolist())]


def customer_comments(rng: np.random.Generator, csat: np.ndarray, rate: float) -> list[str | None]:
    """Comments for customer responses, positive for CSAT 4-5 and negative otherwise."""
    n = len(csat)
    if rate <= 0:
        return [None] * n
    has = rng.random(n) < rate
    pick = rng.integers(0, 5, size=n)
    return [CUSTOMER["pos" if c >= 4 else "neg"][k] if h else None
            for h, c, k in zip(has.tolist(), csat.tolist(), pick.tolist())]
