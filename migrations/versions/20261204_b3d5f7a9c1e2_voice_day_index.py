"""voice: an index of customer responses by day, so /voice pages and counts read it instead of every response

Partial (touchpoint_id IS NOT NULL: customer responses only) and covering the list's filters (touchpoint, team,
source, channel), so a page of the newest feedback and its counts per channel never scan the responses table.

Revision ID: b3d5f7a9c1e2
Revises: 905470cb75ad
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'b3d5f7a9c1e2'
down_revision = '905470cb75ad'
branch_labels = None
depends_on = None

COLUMNS = ['submitted_on', 'touchpoint_id', 'team_id', 'source', 'channel']
WHERE = sa.text('touchpoint_id IS NOT NULL')


def upgrade() -> None:
    op.create_index('ix_responses_customer_day', 'responses', COLUMNS, unique=False,
                    sqlite_where=WHERE, postgresql_where=WHERE)


def downgrade() -> None:
    op.drop_index('ix_responses_customer_day', table_name='responses')
