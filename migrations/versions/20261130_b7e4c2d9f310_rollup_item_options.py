"""Rollup of employee answers per wave x team x question x value, for the questions report's answer
distributions (each option's share).

Filled here from the raw answers of an existing database (the same aggregate as
`surveys.rollups.aggregates._item_options`); later writes keep it up to date in their own transaction.

Revision ID: b7e4c2d9f310
Revises: c7e91d2b5a40
Create Date: 2026-11-30 19:30:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'b7e4c2d9f310'
down_revision = 'c7e91d2b5a40'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rollup_item_options',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_rollup_item_options_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rollup_item_options_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_rollup_item_options_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'team_id', 'question_id', 'value', name=op.f('pk_rollup_item_options'))
    )
    # A fixed statement (no input): employee answers (no touchpoint) with a numeric value, counted.
    op.execute("INSERT INTO rollup_item_options (wave_id, team_id, question_id, value, n) "
               "SELECT r.wave_id, r.team_id, a.question_id, a.value, count(*) "
               "FROM responses r JOIN answers a ON a.response_id = r.id "
               "WHERE r.touchpoint_id IS NULL AND a.value IS NOT NULL "
               "GROUP BY r.wave_id, r.team_id, a.question_id, a.value")


def downgrade() -> None:
    op.drop_table('rollup_item_options')
