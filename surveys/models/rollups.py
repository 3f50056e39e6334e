"""Rollups: summaries of answers kept up to date in the same transaction as every write.

Reports read these tables, never `answers`, `responses` or `invitations`. Nothing here is finer than team x wave
(employees) or touchpoint x day (customers, also summed per touchpoint x month); the anonymity threshold is applied
when a figure is shown. Sums over respondents (the `*_sum`, `*_sq` floats) hold each respondent's average over the
items of one dimension or metric, so a respondent counts once however many items it has.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from surveys.models.base import Base


def _count() -> Mapped[int]:
    return mapped_column(BigInteger, default=0, server_default="0")


def _sum() -> Mapped[float]:
    return mapped_column(Float, default=0.0, server_default="0")


class RespondentSums:
    """Sums over respondents of their own shares and means for one metric (mixed into two rollups)."""

    n: Mapped[int] = _count()
    top2: Mapped[float] = _sum()
    prom: Mapped[float] = _sum()
    det: Mapped[float] = _sum()
    mean: Mapped[float] = _sum()
    mean_sq: Mapped[float] = _sum()
    top2_sq: Mapped[float] = _sum()
    net_sq: Mapped[float] = _sum()


class RollupItem(Base):
    """Per wave x team x question of employee answers: count, sum, sum of squares, favourable, eNPS bands."""

    __tablename__ = "rollup_items"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    n: Mapped[int] = _count()
    total: Mapped[int] = _count()
    total_sq: Mapped[int] = _count()
    favourable: Mapped[int] = _count()  # agreement items only
    promoters: Mapped[int] = _count()  # 0-10 items only, as are passives and detractors
    passives: Mapped[int] = _count()
    detractors: Mapped[int] = _count()


class RollupItemOption(Base):
    """Per wave x team x question x answer value of employee answers: how many chose it.

    The answer distribution behind the questions report (each option's share); `value` is the stored
    answer (a scale point, or a single choice's index). Kept by the same write paths as RollupItem.
    """

    __tablename__ = "rollup_item_options"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = _count()


class RollupDimension(RespondentSums, Base):
    """Per wave x team x dimension: sums over respondents of their own dimension scores.

    `n_fav`, `fav_sum`, `fav_sq`: respondents with an agreement item, their % favourable (0-100) and its
    square (the engagement index is `fav_sum / n_fav`, the mean of respondents' % favourable).
    `n` and the rest: respondents with any numeric item and their shares in the top two points, of
    promoters and detractors, their mean answer, and squares for the ICC (net = promoters - detractors).
    """

    __tablename__ = "rollup_dimensions"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)
    n_fav: Mapped[int] = _count()
    fav_sum: Mapped[float] = _sum()
    fav_sq: Mapped[float] = _sum()


class RollupCustomerDay(RespondentSums, Base):
    """Per day x touchpoint x metric x source x channel of customer answers (with the owning team at the time).

    Same sums over respondents as RollupDimension's second group; `metric` is the question's dimension
    (csat, nps, ces, or any other scored dimension an imported file carries). `source` and `channel` are
    the response's: an imported row may name another channel than its touchpoint's, and the customer
    report sets surveyed and imported feedback side by side (`channel` is '' when a response has none).
    """

    __tablename__ = "rollup_customer_days"
    # Rows stored in key order on SQLite: the alert scan reads years of days in that order (see the
    # migration d4e6f8a0b2c3), and an upsert touches one b-tree, not a table and its key's index.
    __table_args__ = ({"sqlite_with_rowid": False},)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    touchpoint_id: Mapped[int] = mapped_column(ForeignKey("touchpoints.id", ondelete="CASCADE"),
                                               primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)


class RollupCustomerMonth(RespondentSums, Base):
    """Per calendar month x touchpoint x team x metric x source x channel of customer answers: RollupCustomerDay summed
    over its days (`month` is the month's first day), so reports over long periods read whole months
    here and only the days of months cut by a period edge from RollupCustomerDay, whether they group by
    team, touchpoint, channel or origin (migration e7a9c1b3d5f7; it was per month x team x metric before).
    """

    __tablename__ = "rollup_customer_months"
    __table_args__ = ({"sqlite_with_rowid": False},)  # stored in key order, as rollup_customer_days

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    touchpoint_id: Mapped[int] = mapped_column(ForeignKey("touchpoints.id", ondelete="CASCADE"),
                                               primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)


class RollupResponses(Base):
    """Responses per wave x team x source (invitation, public_link, contact_link, import)."""

    __tablename__ = "rollup_responses"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# The storage unit of an invitation that has none (its key cannot be NULL): no team has id 0.
NO_UNIT = 0


class RollupParticipation(Base):
    """Per wave x storage unit of employee invitations: how many were invited and how many released receipts.

    `team_id` is the unit frozen on each invitation when the wave opened (NO_UNIT when it has none), so it
    carries no foreign key; teams are never deleted. `responded` counts receipts released from the
    submission queue only, as every participation figure does. Kept by surveys/rollups/participation.py.
    """

    __tablename__ = "rollup_participation"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    invited: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    responded: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


ROLLUP_MODELS = (RollupItem, RollupDimension, RollupCustomerDay, RollupCustomerMonth, RollupResponses,
                 RollupParticipation, RollupItemOption)
