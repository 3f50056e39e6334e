"""command centre: outcomes, contacts and follow-up cases, themes and sentiment, alerts, digests, known issues

Revision ID: 905470cb75ad
Revises: a1c7e3f90b12
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '905470cb75ad'
down_revision = 'a1c7e3f90b12'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_scans',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scanned_at', sa.DateTime(), nullable=False),
    sa.Column('tests', sa.Integer(), server_default='0', nullable=False),
    sa.Column('raised', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_alert_scans'))
    )
    op.create_table('outcome_metrics',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('higher_is_better', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('unit', sa.String(length=20), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_outcome_metrics'))
    )
    op.create_table('theme_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('n_comments', sa.Integer(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.CheckConstraint("audience IN ('customer', 'employee')", name=op.f('ck_theme_models_audience')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_models'))
    )
    with op.batch_alter_table('theme_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_models_audience'), ['audience'], unique=False)

    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('words', sa.Text(), server_default='', nullable=False),
    sa.Column('source', sa.String(length=20), server_default='learned', nullable=False),
    sa.Column('renamed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('component', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("audience IN ('customer', 'employee')", name=op.f('ck_themes_audience')),
    sa.CheckConstraint("source IN ('learned', 'manual')", name=op.f('ck_themes_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes'))
    )
    op.create_table('theme_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('keyword', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_theme_rules_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_rules'))
    )
    with op.batch_alter_table('theme_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_rules_theme_id'), ['theme_id'], unique=False)

    op.create_table('digest_subscriptions',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.CheckConstraint("period IN ('daily', 'weekly', 'monthly', 'quarterly', 'annual')", name=op.f('ck_digest_subscriptions_period')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_digest_subscriptions_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'period', name=op.f('pk_digest_subscriptions'))
    )
    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=60), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('period_label', sa.String(length=20), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=True),
    sa.Column('unit_key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('n IS NULL OR n >= 0', name=op.f('ck_outcomes_n')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_outcomes_period')),
    sa.ForeignKeyConstraint(['metric'], ['outcome_metrics.name'], name=op.f('fk_outcomes_metric_outcome_metrics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_outcomes_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'], name=op.f('fk_outcomes_touchpoint_id_touchpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('metric', 'period_start', 'period_end', 'unit_key', name=op.f('uq_outcomes_metric_period_start_period_end_unit_key'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_metric'), ['metric'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcomes_period_start'), ['period_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcomes_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcomes_touchpoint_id'), ['touchpoint_id'], unique=False)

    op.create_table('rollup_theme_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), server_default='0', nullable=False),
    sa.Column('sentiment_sum', sa.Float(), server_default='0', nullable=False),
    sa.Column('negative', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rollup_theme_days_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'], name=op.f('fk_rollup_theme_days_touchpoint_id_touchpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', 'touchpoint_id', 'team_id', 'theme_id', name=op.f('pk_rollup_theme_days'))
    )
    op.create_table('rollup_theme_waves',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), server_default='0', nullable=False),
    sa.Column('sentiment_sum', sa.Float(), server_default='0', nullable=False),
    sa.Column('negative', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rollup_theme_waves_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_rollup_theme_waves_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'team_id', 'theme_id', name=op.f('pk_rollup_theme_waves'))
    )
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('began_on', sa.Date(), nullable=False),
    sa.Column('detected_on', sa.Date(), nullable=False),
    sa.Column('last_seen_on', sa.Date(), nullable=False),
    sa.Column('recovered_on', sa.Date(), nullable=True),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('baseline_n', sa.Integer(), nullable=True),
    sa.Column('current', sa.Float(), nullable=True),
    sa.Column('current_n', sa.Integer(), nullable=True),
    sa.Column('drop', sa.Float(), nullable=True),
    sa.Column('low', sa.Float(), nullable=True),
    sa.Column('high', sa.Float(), nullable=True),
    sa.Column('p_value', sa.Float(), nullable=True),
    sa.Column('q_value', sa.Float(), nullable=True),
    sa.Column('severity', sa.String(length=10), server_default='medium', nullable=False),
    sa.Column('status', sa.String(length=20), server_default='new', nullable=False),
    sa.Column('status_note', sa.Text(), nullable=True),
    sa.Column('escalation_level', sa.Integer(), server_default='0', nullable=False),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('hints_json', sa.Text(), server_default='{}', nullable=False),
    sa.Column('open_key', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('sudden_day', 'sudden_week', 'sudden_month', 'shift', 'below_target', 'emerging_theme')", name=op.f('ck_alerts_kind')),
    sa.CheckConstraint("severity IN ('high', 'medium', 'low')", name=op.f('ck_alerts_severity')),
    sa.CheckConstraint("status IN ('new', 'acknowledged', 'action_planned', 'resolved', 'dismissed')", name=op.f('ck_alerts_status')),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_alerts_action_id_actions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_alerts_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_alerts_theme_id_themes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'], name=op.f('fk_alerts_touchpoint_id_touchpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('open_key', name=op.f('uq_alerts_open_key'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_detected_on'), ['detected_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_touchpoint_id'), ['touchpoint_id'], unique=False)

    op.create_table('customer_contacts',
    sa.Column('response_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('email', sa.String(length=254), server_default='', nullable=False),
    sa.Column('phone', sa.String(length=40), server_default='', nullable=False),
    sa.Column('consent', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_customer_contacts_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', name=op.f('pk_customer_contacts')),
    sqlite_with_rowid=False
    )
    op.create_table('follow_up_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.BigInteger(), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='open', nullable=False),
    sa.Column('contact_method', sa.String(length=20), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('contacted_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('escalation_level', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint("contact_method IS NULL OR contact_method IN ('phone', 'email', 'other')", name=op.f('ck_follow_up_cases_contact_method')),
    sa.CheckConstraint("status IN ('open', 'contacted', 'closed')", name=op.f('ck_follow_up_cases_status')),
    sa.CheckConstraint("trigger IN ('nps_detractor', 'csat_unhappy')", name=op.f('ck_follow_up_cases_trigger')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['people.id'], name=op.f('fk_follow_up_cases_closed_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_follow_up_cases_response_id_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_follow_up_cases_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'], name=op.f('fk_follow_up_cases_touchpoint_id_touchpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_cases')),
    sa.UniqueConstraint('response_id', name=op.f('uq_follow_up_cases_response_id'))
    )
    with op.batch_alter_table('follow_up_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_cases_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_cases_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_cases_touchpoint_id'), ['touchpoint_id'], unique=False)

    op.create_table('alert_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('what', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_alert_events_actor_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_events_alert_id_alerts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_events'))
    )
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_events_alert_id'), ['alert_id'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('what', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_case_events_actor_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['follow_up_cases.id'], name=op.f('fk_case_events_case_id_follow_up_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)

    op.create_table('comment_labels',
    sa.Column('response_id', sa.BigInteger(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('sentiment', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['response_id', 'question_id'], ['answers.response_id', 'answers.question_id'], name=op.f('fk_comment_labels_response_id_question_id_answers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_comment_labels')),
    sqlite_with_rowid=False
    )
    op.create_table('comment_themes',
    sa.Column('response_id', sa.BigInteger(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Float(), server_default='1', nullable=False),
    sa.Column('by_rule', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['response_id', 'question_id'], ['answers.response_id', 'answers.question_id'], name=op.f('fk_comment_themes_response_id_question_id_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_comment_themes_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', 'theme_id', name=op.f('pk_comment_themes')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('comment_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_themes_theme_id'), ['theme_id'], unique=False)

    op.create_table('public_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('what_wrong', sa.Text(), nullable=False),
    sa.Column('what_doing', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=20), server_default='investigating', nullable=False),
    sa.Column('published', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('fixed_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('investigating', 'fix_planned', 'fixed')", name=op.f('ck_public_issues_status')),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_public_issues_action_id_actions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_public_issues_alert_id_alerts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_public_issues_created_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_issues'))
    )
    with op.batch_alter_table('public_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_issues_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_issues_alert_id'), ['alert_id'], unique=False)

    op.create_table('public_issue_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('investigating', 'fix_planned', 'fixed')", name=op.f('ck_public_issue_updates_status')),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_public_issue_updates_author_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issue_id'], ['public_issues.id'], name=op.f('fk_public_issue_updates_issue_id_public_issues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_issue_updates'))
    )
    with op.batch_alter_table('public_issue_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_issue_updates_issue_id'), ['issue_id'], unique=False)

    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('touchpoint_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_goals_touchpoint_id'), ['touchpoint_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_goals_touchpoint_id_touchpoints'), 'touchpoints', ['touchpoint_id'], ['id'], ondelete='CASCADE')



def downgrade() -> None:
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_goals_touchpoint_id_touchpoints'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_goals_touchpoint_id'))
        batch_op.drop_column('touchpoint_id')

    with op.batch_alter_table('public_issue_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_issue_updates_issue_id'))

    op.drop_table('public_issue_updates')
    with op.batch_alter_table('public_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_issues_alert_id'))
        batch_op.drop_index(batch_op.f('ix_public_issues_action_id'))

    op.drop_table('public_issues')
    with op.batch_alter_table('comment_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_themes_theme_id'))

    op.drop_table('comment_themes')
    op.drop_table('comment_labels')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_events_alert_id'))

    op.drop_table('alert_events')
    with op.batch_alter_table('follow_up_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_cases_touchpoint_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_cases_team_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_cases_due_at'))

    op.drop_table('follow_up_cases')
    op.drop_table('customer_contacts')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_touchpoint_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_team_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_status'))
        batch_op.drop_index(batch_op.f('ix_alerts_detected_on'))
        batch_op.drop_index(batch_op.f('ix_alerts_action_id'))

    op.drop_table('alerts')
    op.drop_table('rollup_theme_waves')
    op.drop_table('rollup_theme_days')
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_touchpoint_id'))
        batch_op.drop_index(batch_op.f('ix_outcomes_team_id'))
        batch_op.drop_index(batch_op.f('ix_outcomes_period_start'))
        batch_op.drop_index(batch_op.f('ix_outcomes_metric'))

    op.drop_table('outcomes')
    op.drop_table('digest_subscriptions')
    with op.batch_alter_table('theme_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_rules_theme_id'))

    op.drop_table('theme_rules')
    op.drop_table('themes')
    with op.batch_alter_table('theme_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_models_audience'))

    op.drop_table('theme_models')
    op.drop_table('outcome_metrics')
    op.drop_table('alert_scans')
