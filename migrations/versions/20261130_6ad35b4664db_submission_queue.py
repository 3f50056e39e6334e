"""Submission queue: employee answers held encrypted until their team's batch is released, and a
`released` flag on receipts so staff counts move with the batches (existing receipts: released).

Downgrading drops queued answers: run `tandem tick` (or close the waves) first so the queue is empty.

Revision ID: 6ad35b4664db
Revises: 5c2f1e8a9d47
Create Date: 2026-11-30 16:59:49.178943
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '6ad35b4664db'
down_revision = '5c2f1e8a9d47'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_submissions',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_pending_submissions_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_submissions')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('pending_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_submissions_wave_id'), ['wave_id'], unique=False)

    # A plain ADD COLUMN (no table copy) on both databases.
    op.add_column('submission_receipts', sa.Column('released', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade() -> None:
    op.drop_column('submission_receipts', 'released')

    with op.batch_alter_table('pending_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_submissions_wave_id'))

    op.drop_table('pending_submissions')
