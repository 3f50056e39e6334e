"""Responses: index (wave_id, source), so participation counts read the index instead of every row.

Revision ID: 9ce132f2b71a
Revises: b613946ddb7d
Create Date: 2026-11-30 10:00:00.000000
"""
from __future__ import annotations

from alembic import op

revision = '9ce132f2b71a'
down_revision = 'b613946ddb7d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_wave_source', ['wave_id', 'source'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_wave_source')
