"""Personal API tokens for the read-only report API (only a keyed hash of each token is stored).

Revision ID: 5b0e7c3d9f12
Revises: 5b7c2d9e4f10
Create Date: 2026-12-01 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5b0e7c3d9f12'
down_revision = '5b7c2d9e4f10'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # token_hash is an HMAC of the token with the app's secret key: a copy of the database alone cannot
    # be used to call the API, nor to test guessed tokens offline.
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=8), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('team_lead', 'hr_admin', 'executive')", name=op.f('ck_api_tokens_role')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_api_tokens_person_id_people'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_person_id'))
    op.drop_table('api_tokens')
