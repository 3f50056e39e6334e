"""The daily customer rollup is also keyed by the response's source and channel, so the customer report
can set surveyed and imported feedback side by side (an imported row may name another channel than its
touchpoint's; both were summed into the touchpoint's row before).

The table is recreated (its primary key changes) and refilled from the raw tables with the very sums of
surveys/rollups/aggregates.py, spelled out here in SQL so the revision stays fixed when that file moves
on. The monthly rollup is unchanged.

Revision ID: c7e91d2b5a40
Revises: 5b0e9d2c7a41
Create Date: 2026-12-01 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'c7e91d2b5a40'
down_revision = '5b0e9d2c7a41'
branch_labels = None
depends_on = None

SUMS = ("n", "top2", "prom", "det", "mean", "mean_sq", "top2_sq", "net_sq")
# Per response and dimension: the respondent's shares (top two points, promoters 9-10, detractors 0-6)
# and mean over its items, as analysis.metrics defines them (TOP_BOX 2, PROMOTER_MIN 9, DETRACTOR_MAX 6).
PER_RESPONDENT = (
    "SELECT r.submitted_on AS day, r.touchpoint_id AS touchpoint_id, r.team_id AS team_id, "
    "q.dimension AS metric, r.source AS source, coalesce(r.channel, '') AS channel, "
    "avg(CASE WHEN a.value >= a.scale_max - 1 THEN 1.0 ELSE 0.0 END) AS top2, "
    "avg(CASE WHEN a.value >= 9 THEN 1.0 ELSE 0.0 END) AS prom, "
    "avg(CASE WHEN a.value <= 6 THEN 1.0 ELSE 0.0 END) AS det, "
    "avg(CAST(a.value AS FLOAT)) AS mean "
    "FROM responses r JOIN answers a ON a.response_id = r.id JOIN questions q ON q.id = a.question_id "
    "WHERE r.touchpoint_id IS NOT NULL AND a.value IS NOT NULL AND q.dimension IS NOT NULL "
    "GROUP BY r.id, q.dimension, r.submitted_on, r.touchpoint_id, r.team_id, r.source, coalesce(r.channel, '')"
)
TOTALS = "count(*), sum(top2), sum(prom), sum(det), sum(mean), sum(mean * mean), sum(top2 * top2), " \
         "sum((prom - det) * (prom - det))"


def _table(extra_keys: bool) -> None:
    keys = ['day', 'touchpoint_id', 'team_id', 'metric'] + (['source', 'channel'] if extra_keys else [])
    op.create_table('rollup_customer_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=20), nullable=False),
    *([sa.Column('source', sa.String(length=20), nullable=False),
       sa.Column('channel', sa.String(length=20), nullable=False)] if extra_keys else []),
    *[sa.Column(s, sa.BigInteger() if s == 'n' else sa.Float(), server_default='0', nullable=False) for s in SUMS],
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rollup_customer_days_team_id_teams'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'],
                            name=op.f('fk_rollup_customer_days_touchpoint_id_touchpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint(*keys, name=op.f('pk_rollup_customer_days'))
    )


def upgrade() -> None:
    op.drop_table('rollup_customer_days')
    _table(extra_keys=True)
    sums = ", ".join(SUMS)
    # Every piece is a constant of this file: nothing external reaches the statement.
    columns = f"day, touchpoint_id, team_id, metric, source, channel, {sums}"
    op.execute(f"INSERT INTO rollup_customer_days ({columns}) "  # nosec B608
               f"SELECT day, touchpoint_id, team_id, metric, source, channel, {TOTALS} FROM ({PER_RESPONDENT}) x "
               "GROUP BY day, touchpoint_id, team_id, metric, source, channel")


def downgrade() -> None:
    # Summed over source and channel in Python: renaming the table would keep its constraint names,
    # which PostgreSQL would then refuse for the recreated table.
    keys = ("day", "touchpoint_id", "team_id", "metric")
    rows = op.get_bind().execute(sa.text(
        f"SELECT {', '.join(keys)}, {', '.join(f'sum({s})' for s in SUMS)} FROM rollup_customer_days "  # nosec B608
        f"GROUP BY {', '.join(keys)}")).all()
    op.drop_table('rollup_customer_days')
    _table(extra_keys=False)
    if rows:
        op.bulk_insert(sa.table('rollup_customer_days', *[sa.column(c) for c in (*keys, *SUMS)]),
                       [dict(zip((*keys, *SUMS), row)) for row in rows])
