"""Branding and public titles: the organisation settings row (name, logo, colour) and programs.public_title.

Revision ID: 992b6f86a662
Revises: 7a8dd73bad74
Create Date: 2026-11-30 16:27:16.615549
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '992b6f86a662'
down_revision = '7a8dd73bad74'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row at most (id = 1); no row means the defaults (Tandem's name and colour, no logo).
    op.create_table('organisation_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('brand_colour', sa.String(length=7), nullable=True),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=20), nullable=True),
    sa.Column('logo_sha256', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("logo_type IS NULL OR logo_type IN ('image/png', 'image/jpeg')", name=op.f('ck_organisation_settings_logo_type')),
    sa.CheckConstraint('(logo IS NULL) = (logo_type IS NULL)', name=op.f('ck_organisation_settings_logo_with_type')),
    sa.CheckConstraint('brand_colour IS NULL OR length(brand_colour) = 7', name=op.f('ck_organisation_settings_brand_colour')),
    sa.CheckConstraint('id = 1', name=op.f('ck_organisation_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_settings'))
    )
    # Nullable: existing programs show respondents their instrument's title until HR sets one.
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_title', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('public_title')
    op.drop_table('organisation_settings')
