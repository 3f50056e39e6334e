"""Import jobs: large uploads are imported by a worker (web thread, tandem tick, tandem import run-jobs).

Revision ID: 5b7c2d9e4f10
Revises: b7e4c2d9f310
Create Date: 2026-12-01 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5b7c2d9e4f10'
down_revision = 'b7e4c2d9f310'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('dry_run', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('files_kept', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='queued', nullable=False),
    sa.Column('phase', sa.String(length=10), nullable=True),
    sa.Column('rows_total', sa.Integer(), nullable=True),
    sa.Column('rows_done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('report', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('error_field', sa.String(length=40), nullable=True),
    sa.Column('error_status', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_import_jobs_status')),
    sa.CheckConstraint('rows_done >= 0', name=op.f('ck_import_jobs_rows_done')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_import_jobs_attempts')),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_import_jobs_created_by_people'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs'))
    )
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_jobs_created_at'), ['created_at'], unique=False)
        # Workers look for queued jobs and for running jobs whose heartbeat went stale.
        batch_op.create_index('ix_import_jobs_status_heartbeat', ['status', 'heartbeat'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_import_jobs_status_heartbeat')
        batch_op.drop_index(batch_op.f('ix_import_jobs_created_at'))
    op.drop_table('import_jobs')
