"""Rollup of customer answers per calendar month x team x metric, so the linkage report reads whole
months instead of every day of every touchpoint.

Filled here from `rollup_customer_days` (the same sums over respondents, added up per month and team);
a database whose rollups are still empty is filled by `tandem db upgrade` as before.

Revision ID: 3e1f0c7b9a21
Revises: aaa195bdfe9c
Create Date: 2026-11-30 17:30:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '3e1f0c7b9a21'
down_revision = 'aaa195bdfe9c'
branch_labels = None
depends_on = None

SUMS = ("n", "top2", "prom", "det", "mean", "mean_sq", "top2_sq", "net_sq")
MONTH = {"sqlite": "date(day, 'start of month')", "postgresql": "CAST(date_trunc('month', day) AS DATE)"}


def upgrade() -> None:
    op.create_table('rollup_customer_months',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=20), nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('top2', sa.Float(), server_default='0', nullable=False),
    sa.Column('prom', sa.Float(), server_default='0', nullable=False),
    sa.Column('det', sa.Float(), server_default='0', nullable=False),
    sa.Column('mean', sa.Float(), server_default='0', nullable=False),
    sa.Column('mean_sq', sa.Float(), server_default='0', nullable=False),
    sa.Column('top2_sq', sa.Float(), server_default='0', nullable=False),
    sa.Column('net_sq', sa.Float(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rollup_customer_months_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month', 'team_id', 'metric', name=op.f('pk_rollup_customer_months'))
    )
    month = MONTH[op.get_bind().dialect.name]
    sums = ", ".join(SUMS)
    # Every piece is a constant of this file (column names, a dialect's month expression): nothing external.
    op.execute(f"INSERT INTO rollup_customer_months (month, team_id, metric, {sums}) "  # nosec B608
               f"SELECT {month}, team_id, metric, {', '.join(f'sum({s})' for s in SUMS)} "
               f"FROM rollup_customer_days GROUP BY {month}, team_id, metric")


def downgrade() -> None:
    op.drop_table('rollup_customer_months')
