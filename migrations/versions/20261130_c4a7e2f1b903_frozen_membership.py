"""Frozen membership: who counts towards a team's size when a wave opens, the storage unit of each
invitation, and drafts sealed with the respondent's link.

Revision ID: c4a7e2f1b903
Revises: 6ad35b4664db
Create Date: 2026-11-30 18:00:00

Plain ADD COLUMN and CREATE TABLE, except one batch copy of `invitations` on SQLite (see below).

Backfill, and why:
- `people.created_at` and `people.team_since` are unknown for existing rows. They are set to
  2000-01-01, i.e. "long-standing member": setting them to the upgrade time would make nobody eligible
  for the next TANDEM_MEMBERSHIP_DAYS, so every team of every wave opened in that period would be pooled
  into the root and the organisation would get no team results at all. The cost is that people added
  or moved before the upgrade are trusted; the audit trail of earlier imports shows such changes. Rows
  written later without the columns stay NULL, which Tandem reads as "joined just now" (not eligible).
- `invitations.unit_team_id` of existing invitations is the invitee's current team, which is what a
  submission stored until now; waves opened from now on get pooled units.
- Existing drafts were stored in clear beside the person and cannot be sealed (the server does not
  know the links' tokens): they are erased. Respondents of a running wave start their answers again.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = 'c4a7e2f1b903'
down_revision = '6ad35b4664db'
branch_labels = None
depends_on = None

LONG_AGO = dt.datetime(2000, 1, 1)


def upgrade() -> None:
    op.add_column('people', sa.Column('created_at', sa.DateTime(), nullable=True))
    op.add_column('people', sa.Column('team_since', sa.DateTime(), nullable=True))
    op.execute(sa.text("UPDATE people SET created_at = :t, team_since = :t")
               .bindparams(sa.bindparam("t", LONG_AGO, type_=sa.DateTime())))

    op.add_column('invitations', sa.Column('draft_key_id', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_invitations_draft_key_id'), 'invitations', ['draft_key_id'], unique=True)
    # The one table copy: SQLite adds no FOREIGN KEY to an existing table (an inline REFERENCES in ADD
    # COLUMN loses its name and ON DELETE on reflection). Migrations run with foreign keys off on SQLite,
    # so the copy cannot cascade; PostgreSQL gets a plain ADD COLUMN and ADD CONSTRAINT.
    with op.batch_alter_table('invitations') as batch:
        batch.add_column(sa.Column('unit_team_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_invitations_unit_team_id'), ['unit_team_id'], unique=False)
        batch.create_foreign_key(batch.f('fk_invitations_unit_team_id_teams'), 'teams', ['unit_team_id'], ['id'],
                                 ondelete='SET NULL')
    op.execute("UPDATE invitations SET unit_team_id = (SELECT people.team_id FROM people "
               "WHERE people.id = invitations.person_id) WHERE person_id IS NOT NULL")
    op.execute("UPDATE invitations SET draft = NULL WHERE draft IS NOT NULL")

    op.create_table(
        'wave_teams',
        sa.Column('wave_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('unit_team_id', sa.Integer(), nullable=False),
        sa.Column('eligible', sa.Integer(), nullable=False),
        sa.Column('joined', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_wave_teams_team_id_teams'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_team_id'], ['teams.id'], name=op.f('fk_wave_teams_unit_team_id_teams'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_wave_teams_wave_id_waves'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('wave_id', 'team_id', name=op.f('pk_wave_teams')),
    )
    op.create_index(op.f('ix_wave_teams_unit_team_id'), 'wave_teams', ['unit_team_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_wave_teams_unit_team_id'), table_name='wave_teams')
    op.drop_table('wave_teams')
    with op.batch_alter_table('invitations') as batch:
        batch.drop_constraint(batch.f('fk_invitations_unit_team_id_teams'), type_='foreignkey')
        batch.drop_index(batch.f('ix_invitations_unit_team_id'))
        batch.drop_column('unit_team_id')
    op.drop_index(op.f('ix_invitations_draft_key_id'), table_name='invitations')
    op.drop_column('invitations', 'draft_key_id')
    op.drop_column('people', 'team_since')
    op.drop_column('people', 'created_at')
