"""Rate limits: per-window counters of accepted public-link submissions, keyed by a hashed address.

Revision ID: b613946ddb7d
Revises: e9562e5007a5
Create Date: 2026-11-22 16:45:26.727677
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'b613946ddb7d'
down_revision = 'e9562e5007a5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The composite primary key is the (key, window_start) uniqueness the upsert relies on.
    op.create_table('rate_limit_hits',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('count', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_rate_limit_hits_count_not_negative')),
    sa.PrimaryKeyConstraint('key', 'window_start', name=op.f('pk_rate_limit_hits'))
    )
    # Pruning deletes old windows by start time.
    with op.batch_alter_table('rate_limit_hits', schema=None) as batch_op:
        batch_op.create_index('ix_rate_limit_hits_window_start', ['window_start'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_limit_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_limit_hits_window_start')
    op.drop_table('rate_limit_hits')
