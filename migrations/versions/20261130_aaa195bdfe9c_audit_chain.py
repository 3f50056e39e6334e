"""Audit chain: seq, prev_hash and hash on every audit event, a one-row chain head, and triggers that
make audit_events append-only on SQLite and PostgreSQL.

Revision ID: aaa195bdfe9c
Revises: d81f3a6c2e10
Create Date: 2026-11-30 18:00:00

Existing events are chained in id order. The columns are added nullable (plain ADD COLUMN), filled, then
made NOT NULL; on SQLite that last step copies `audit_events`, which no table references, so the copy
cannot cascade into other rows. The hash below is a frozen copy of surveys.audit.canonical: the chain
format is a contract, and tests check that migrated rows verify.
"""
from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = 'aaa195bdfe9c'
down_revision = 'd81f3a6c2e10'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
REFUSAL = "audit_events is append-only: rows are never updated or deleted"


def _hash(seq, at, actor_id, action, entity_type, entity_id, detail, prev_hash) -> str:
    fields = {"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor_id": actor_id, "action": action,
              "entity_type": entity_type, "entity_id": entity_id, "detail": detail, "prev_hash": prev_hash}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                          .encode()).hexdigest()


def _chain_existing() -> tuple[int, str]:
    events = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                      sa.column("actor_id", sa.Integer), sa.column("action", sa.String),
                      sa.column("entity_type", sa.String), sa.column("entity_id", sa.Integer),
                      sa.column("detail", sa.JSON(none_as_null=True)), sa.column("seq", sa.Integer),
                      sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    conn = op.get_bind()
    seq, prev_hash = 0, GENESIS_HASH
    rows = conn.execute(sa.select(events.c.id, events.c.at, events.c.actor_id, events.c.action, events.c.entity_type,
                                  events.c.entity_id, events.c.detail).order_by(events.c.id)).all()
    for row in rows:
        seq += 1
        digest = _hash(seq, row.at, row.actor_id, row.action, row.entity_type, row.entity_id, row.detail, prev_hash)
        conn.execute(events.update().where(events.c.id == row.id).values(seq=seq, prev_hash=prev_hash, hash=digest))
        prev_hash = digest
    return seq, prev_hash


def upgrade() -> None:
    op.add_column('audit_events', sa.Column('seq', sa.Integer(), nullable=True))
    op.add_column('audit_events', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_events', sa.Column('hash', sa.String(length=64), nullable=True))
    head = op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_head_one_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head')),
    )
    seq, last_hash = _chain_existing()
    op.bulk_insert(head, [{"id": 1, "seq": seq, "hash": last_hash}])
    with op.batch_alter_table('audit_events') as batch:
        batch.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f('uq_audit_events_seq'), ['seq'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN RAISE EXCEPTION '{REFUSAL} (% refused)', TG_OP; END $$")
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")
        op.execute("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                       f"BEGIN SELECT RAISE(ABORT, '{REFUSAL} ({verb} refused)'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_constraint(op.f('uq_audit_events_seq'), type_='unique')
        batch.drop_column('hash')
        batch.drop_column('prev_hash')
        batch.drop_column('seq')
