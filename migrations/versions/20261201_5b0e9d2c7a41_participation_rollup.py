"""Participation rollup: employee invitations and released receipts per wave x storage unit, kept at write
time so the participation figures no longer count the invitations table on every page.

Filled here from the existing invitations and receipts (the same aggregate as
surveys.rollups.aggregates.participation_counts, written out in SQL so this revision stays fixed).
`team_id` is the unit frozen on the invitation, 0 when it has none; it has no foreign key for that reason.

Revision ID: 5b0e9d2c7a41
Revises: f10dd1a6e7c3
Create Date: 2026-12-01 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5b0e9d2c7a41'
down_revision = 'f10dd1a6e7c3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rollup_participation',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('invited', sa.Integer(), server_default='0', nullable=False),
    sa.Column('responded', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_rollup_participation_wave_id_waves'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'team_id', name=op.f('pk_rollup_participation'))
    )
    op.execute(
        "INSERT INTO rollup_participation (wave_id, team_id, invited, responded) "
        "SELECT i.wave_id, COALESCE(i.unit_team_id, 0), COUNT(i.id), "
        "COUNT(CASE WHEN r.released THEN 1 END) "
        "FROM invitations i LEFT OUTER JOIN submission_receipts r ON r.invitation_id = i.id "
        "WHERE i.person_id IS NOT NULL GROUP BY i.wave_id, COALESCE(i.unit_team_id, 0)")


def downgrade() -> None:
    op.drop_table('rollup_participation')
