"""Flagged responses: public-link answers judged part of a flood, kept out of the rollups until released.

The table holds the response id, the reason and whether HR released it; nothing about the sender.
Downgrading forgets which responses were flagged: run `tandem rollup rebuild` afterwards, since the
rollups then count them again.

Revision ID: f10dd1a6e7c3
Revises: 438a1fd3d059
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'f10dd1a6e7c3'
down_revision = '438a1fd3d059'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('flagged_responses',
    sa.Column('response_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('released', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint("reason IN ('burst')", name=op.f('ck_flagged_responses_reason')),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_flagged_responses_response_id_responses'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', name=op.f('pk_flagged_responses')),
    sqlite_with_rowid=False
    )


def downgrade() -> None:
    op.drop_table('flagged_responses')
