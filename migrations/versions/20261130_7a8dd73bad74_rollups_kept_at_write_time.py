"""Rollups: summaries of answers per wave x team (x question or dimension), per touchpoint x day and
per wave x team x source, kept up to date in the same transaction as each write.

The tables start empty; `tandem db upgrade` fills them from existing answers (`tandem rollup rebuild`)
when a database with responses reaches this revision, so this file holds no copy of the aggregates.

Revision ID: 7a8dd73bad74
Revises: b613946ddb7d
Create Date: 2026-11-30 16:28:37.913982
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '7a8dd73bad74'
down_revision = 'b613946ddb7d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rollup_customer_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=20), nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('top2', sa.Float(), server_default='0', nullable=False),
    sa.Column('prom', sa.Float(), server_default='0', nullable=False),
    sa.Column('det', sa.Float(), server_default='0', nullable=False),
    sa.Column('mean', sa.Float(), server_default='0', nullable=False),
    sa.Column('mean_sq', sa.Float(), server_default='0', nullable=False),
    sa.Column('top2_sq', sa.Float(), server_default='0', nullable=False),
    sa.Column('net_sq', sa.Float(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rollup_customer_days_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'], name=op.f('fk_rollup_customer_days_touchpoint_id_touchpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', 'touchpoint_id', 'team_id', 'metric', name=op.f('pk_rollup_customer_days'))
    )
    op.create_table('rollup_dimensions',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('n_fav', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('fav_sum', sa.Float(), server_default='0', nullable=False),
    sa.Column('fav_sq', sa.Float(), server_default='0', nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('top2', sa.Float(), server_default='0', nullable=False),
    sa.Column('prom', sa.Float(), server_default='0', nullable=False),
    sa.Column('det', sa.Float(), server_default='0', nullable=False),
    sa.Column('mean', sa.Float(), server_default='0', nullable=False),
    sa.Column('mean_sq', sa.Float(), server_default='0', nullable=False),
    sa.Column('top2_sq', sa.Float(), server_default='0', nullable=False),
    sa.Column('net_sq', sa.Float(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rollup_dimensions_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_rollup_dimensions_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'team_id', 'dimension', name=op.f('pk_rollup_dimensions'))
    )
    op.create_table('rollup_items',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('total', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('total_sq', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('favourable', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('promoters', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('passives', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('detractors', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_rollup_items_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rollup_items_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_rollup_items_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'team_id', 'question_id', name=op.f('pk_rollup_items'))
    )
    op.create_table('rollup_responses',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('n', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rollup_responses_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_rollup_responses_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'team_id', 'source', name=op.f('pk_rollup_responses'))
    )


def downgrade() -> None:
    op.drop_table('rollup_responses')
    op.drop_table('rollup_items')
    op.drop_table('rollup_dimensions')
    op.drop_table('rollup_customer_days')
