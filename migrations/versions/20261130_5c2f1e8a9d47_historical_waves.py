"""Historical waves: a flag on closed waves that hold imported results of a survey run before Tandem.

Revision ID: 5c2f1e8a9d47
Revises: 992b6f86a662
Create Date: 2026-11-30 16:40:00

A plain ADD/DROP COLUMN on purpose: a batch (copy-and-drop) migration of `waves` on SQLite would drop the
old table with foreign keys on, and ON DELETE CASCADE would erase every invitation and response.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5c2f1e8a9d47'
down_revision = '992b6f86a662'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('waves', sa.Column('historical', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column('waves', 'historical')
