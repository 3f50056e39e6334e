"""rollup_customer_days becomes a WITHOUT ROWID table on SQLite: its rows are then stored in primary-key
order (day, touchpoint, team, metric, source, channel), so the alert scan's read of a year of days walks
one b-tree in order instead of looking every row up through the primary key's separate index (about
1.5x faster), and each write-time upsert touches one b-tree instead of two. PostgreSQL has no rowid:
nothing changes there.

The table is rebuilt: the old one renamed, the new one created with the same columns and constraints,
filled in key order, the old one dropped.

Revision ID: d4e6f8a0b2c3
Revises: b3d5f7a9c1e2
Create Date: 2026-12-05
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'd4e6f8a0b2c3'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None

KEYS = ('day', 'touchpoint_id', 'team_id', 'metric', 'source', 'channel')
SUMS = ('n', 'top2', 'prom', 'det', 'mean', 'mean_sq', 'top2_sq', 'net_sq')


def _table(name: str, with_rowid: bool) -> None:
    op.create_table(name,
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    *[sa.Column(s, sa.BigInteger() if s == 'n' else sa.Float(), server_default='0', nullable=False) for s in SUMS],
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name='fk_rollup_customer_days_team_id_teams',
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'],
                            name='fk_rollup_customer_days_touchpoint_id_touchpoints', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint(*KEYS, name='pk_rollup_customer_days'),
    sqlite_with_rowid=with_rowid
    )


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.rename_table('rollup_customer_days', 'rollup_customer_days_old')
    _table('rollup_customer_days', with_rowid)
    columns = ', '.join(KEYS + SUMS)
    # Every piece is a constant of this file: nothing external reaches the statement.
    op.execute(f"INSERT INTO rollup_customer_days ({columns}) "  # nosec B608
               f"SELECT {columns} FROM rollup_customer_days_old ORDER BY {', '.join(KEYS)}")
    op.drop_table('rollup_customer_days_old')


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
