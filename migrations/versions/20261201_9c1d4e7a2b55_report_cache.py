"""report cache: rendered report pages keyed by page and data version

Revision ID: 9c1d4e7a2b55
Revises: 5b0e7c3d9f12
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '9c1d4e7a2b55'
down_revision = '5b0e7c3d9f12'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_cache',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_report_cache')),
    )


def downgrade() -> None:
    op.drop_table('report_cache')
