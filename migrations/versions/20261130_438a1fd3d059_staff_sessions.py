"""Staff sessions kept server-side (logout and password changes end them) and sign-in back-off throttles.

Revision ID: 438a1fd3d059
Revises: 3e1f0c7b9a21
Create Date: 2026-11-30 17:05:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '438a1fd3d059'
down_revision = '3e1f0c7b9a21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The primary key is the SHA-256 of the cookie's random id: the id itself is never stored.
    op.create_table('staff_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('user_agent', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_staff_sessions_person_id_people'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_staff_sessions'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_person_id'), ['person_id'], unique=False)
        # `tandem tick` prunes idle sessions by last_seen_at.
        batch_op.create_index('ix_staff_sessions_last_seen_at', ['last_seen_at'], unique=False)

    # The primary key is the uniqueness the INSERT ... ON CONFLICT DO UPDATE counting relies on.
    op.create_table('sign_in_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_failure_at', sa.DateTime(), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=True),
    sa.CheckConstraint('failures >= 0', name=op.f('ck_sign_in_throttles_failures_not_negative')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttles'))
    )
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttles_last_failure_at'), ['last_failure_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_throttles_last_failure_at'))
    op.drop_table('sign_in_throttles')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_sessions_last_seen_at')
        batch_op.drop_index(batch_op.f('ix_staff_sessions_person_id'))
    op.drop_table('staff_sessions')
