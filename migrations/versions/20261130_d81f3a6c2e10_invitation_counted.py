"""Invitations remember whether their invitee counted towards the unit's size when the wave opened.

The submission queue releases a unit's answers only once k counted invitees have answered, so answers
of planted or brand-new accounts can never make up a batch. Existing invitations count (they were
frozen before this rule; a plain ADD COLUMN, no table copy).

Revision ID: d81f3a6c2e10
Revises: c4a7e2f1b903
Create Date: 2026-11-30 18:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'd81f3a6c2e10'
down_revision = 'c4a7e2f1b903'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('invitations', sa.Column('counted', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    op.drop_column('invitations', 'counted')
