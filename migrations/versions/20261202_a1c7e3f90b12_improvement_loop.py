"""improvement loop: goals, actions on several teams with steps, history and reminders, results sharing

Revision ID: a1c7e3f90b12
Revises: 9c1d4e7a2b55
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = 'a1c7e3f90b12'
down_revision = '9c1d4e7a2b55'
branch_labels = None
depends_on = None

STATUSES = "status IN ('planned', 'in_progress', 'done', 'abandoned')"


def upgrade() -> None:
    op.create_table(
        'goals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('metric', sa.String(length=60), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('target', sa.Float(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_goals_created_by_id_people'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_goals_team_id_teams'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_goals')),
    )
    op.create_index(op.f('ix_goals_team_id'), 'goals', ['team_id'], unique=False)

    op.create_table(
        'action_teams',
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_teams_action_id_actions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_action_teams_team_id_teams'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('action_id', 'team_id', name=op.f('pk_action_teams')),
    )
    op.create_index(op.f('ix_action_teams_team_id'), 'action_teams', ['team_id'], unique=False)
    op.execute("INSERT INTO action_teams (action_id, team_id) SELECT id, team_id FROM actions")
    op.execute("UPDATE actions SET status = 'abandoned' WHERE status = 'dropped'")
    op.execute("UPDATE action_updates SET status = 'abandoned' WHERE status = 'dropped'")

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_actions_status'), type_='check')
        batch_op.drop_index(op.f('ix_actions_team_id'))
        batch_op.drop_constraint(op.f('fk_actions_team_id_teams'), type_='foreignkey')
        batch_op.drop_column('team_id')
        batch_op.alter_column('target_metric', new_column_name='metric', existing_type=sa.String(length=60),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('baseline_n', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('baseline_low', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('baseline_high', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('baseline_label', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('abandon_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('visibility', sa.String(length=20), server_default='leaders', nullable=False))
        batch_op.add_column(sa.Column('source', sa.String(length=20), server_default='manual', nullable=False))
        batch_op.add_column(sa.Column('goal_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint('status', STATUSES)
        batch_op.create_check_constraint('visibility', "visibility IN ('leaders', 'published')")
        batch_op.create_check_constraint('source', "source IN ('manual', 'focus', 'goal', 'import', 'alert')")
        batch_op.create_check_constraint('dates', 'due_on IS NULL OR starts_on IS NULL OR due_on >= starts_on')
        batch_op.create_foreign_key('fk_actions_goal_id_goals', 'goals', ['goal_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_actions_created_by_id_people', 'people', ['created_by_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_actions_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_updated_at'), ['updated_at'], unique=False)
    # Earlier actions were "X % favourable" on an employee dimension; metrics are now plain keys.
    op.execute("UPDATE actions SET metric = REPLACE(metric, ' % favourable', '')")
    op.execute("UPDATE actions SET updated_at = created_at")
    op.execute("UPDATE actions SET due_on = NULL WHERE due_on < CAST(created_at AS DATE)")
    op.execute("UPDATE actions SET starts_on = CAST(created_at AS DATE)")
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(), nullable=False)

    with op.batch_alter_table('action_updates', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_action_updates_status'), type_='check')
        batch_op.create_check_constraint('status', f"status IS NULL OR {STATUSES}")

    op.create_table(
        'action_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), server_default='0', nullable=False),
        sa.Column('text', sa.String(length=300), nullable=False),
        sa.Column('done', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_steps_action_id_actions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_steps')),
    )
    op.create_index(op.f('ix_action_steps_action_id'), 'action_steps', ['action_id'], unique=False)
    op.create_table(
        'action_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('what', sa.String(length=40), nullable=False),
        sa.Column('detail', sa.Text(), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_events_action_id_actions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_action_events_actor_id_people'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_events')),
    )
    op.create_index(op.f('ix_action_events_action_id'), 'action_events', ['action_id'], unique=False)
    op.create_table(
        'reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=True),
        sa.Column('claimed_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['recipient_id'], ['people.id'], name=op.f('fk_reminders_recipient_id_people'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
        sa.UniqueConstraint('kind', 'key', name=op.f('uq_reminders_kind_key')),
    )
    op.create_index(op.f('ix_reminders_recipient_id'), 'reminders', ['recipient_id'], unique=False)

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_results', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_sent_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('results_sent_at')
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('share_results')
    op.drop_table('reminders')
    op.drop_table('action_events')
    op.drop_table('action_steps')
    op.execute("UPDATE action_updates SET status = 'dropped' WHERE status = 'abandoned'")
    with op.batch_alter_table('action_updates', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_action_updates_status'), type_='check')
        batch_op.create_check_constraint(
            'status', "status IS NULL OR status IN ('planned', 'in_progress', 'done', 'dropped')")
    op.execute("UPDATE actions SET status = 'dropped' WHERE status = 'abandoned'")
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
    # An action on several teams keeps its first team.
    op.execute("UPDATE actions SET team_id = (SELECT MIN(team_id) FROM action_teams WHERE action_id = actions.id)")
    op.execute("DELETE FROM actions WHERE team_id IS NULL")
    with op.batch_alter_table('actions', schema=None) as batch_op:
        for name in ('ix_actions_owner_id', 'ix_actions_due_on', 'ix_actions_goal_id', 'ix_actions_updated_at'):
            batch_op.drop_index(op.f(name))
        batch_op.drop_constraint(op.f('fk_actions_goal_id_goals'), type_='foreignkey')
        batch_op.drop_constraint(op.f('fk_actions_created_by_id_people'), type_='foreignkey')
        for name in ('ck_actions_status', 'ck_actions_visibility', 'ck_actions_source', 'ck_actions_dates'):
            batch_op.drop_constraint(op.f(name), type_='check')
        for col in ('baseline_n', 'baseline_low', 'baseline_high', 'baseline_label', 'starts_on', 'abandon_reason',
                    'visibility', 'source', 'goal_id', 'created_by_id', 'updated_at'):
            batch_op.drop_column(col)
        batch_op.alter_column('metric', new_column_name='target_metric', existing_type=sa.String(length=60),
                              existing_nullable=False)
        batch_op.alter_column('team_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_actions_team_id_teams', 'teams', ['team_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_actions_team_id', ['team_id'], unique=False)
        batch_op.create_check_constraint('status', "status IN ('planned', 'in_progress', 'done', 'dropped')")
    op.drop_table('action_teams')
    op.drop_index(op.f('ix_goals_team_id'), table_name='goals')
    op.drop_table('goals')
