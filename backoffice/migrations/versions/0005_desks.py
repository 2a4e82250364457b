"""The staffed desk: desks, the display's feed of calls, visits; queue columns on tickets and appointments.

Portable like the earlier revisions. Columns with a foreign key are added in batch mode, which on SQLite
copies the table (SQLite cannot add a constraint in place) and on PostgreSQL is a plain ALTER TABLE.
Contacts gain the waiting and service time of a visit at a desk.

Revision ID: 0005_desks
Revises: 0004_location_settings
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0005_desks"
down_revision = "0004_location_settings"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
QUEUED = ("tickets", "appointments")


def _queue_columns(batch_op: BatchOperations, table: str) -> None:
    """The same queue columns on tickets and appointments; appointments also get what tickets had from 0002."""
    add = batch_op.add_column
    foreign_key = batch_op.create_foreign_key
    add(sa.Column("queue_topic", sa.String(length=1), nullable=True))
    if table == "appointments":
        add(sa.Column("called_at", sa.DateTime(timezone=True), nullable=True))
        add(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
    add(sa.Column("desk_id", sa.Integer(), nullable=True))
    add(sa.Column("target_desk_id", sa.Integer(), nullable=True))
    add(sa.Column("served_by", sa.Integer(), nullable=True))
    add(sa.Column("service_started_at", sa.DateTime(timezone=True), nullable=True))
    add(sa.Column("recalls", sa.Integer(), server_default="0", nullable=False))
    foreign_key(op.f(f"fk_{table}_desk_id_desks"), "desks", ["desk_id"], ["id"], ondelete="SET NULL")
    foreign_key(op.f(f"fk_{table}_target_desk_id_desks"), "desks", ["target_desk_id"], ["id"], ondelete="SET NULL")
    foreign_key(op.f(f"fk_{table}_served_by_staff_users"), "staff_users", ["served_by"], ["id"], ondelete="SET NULL")


def upgrade() -> None:
    op.create_table(
        "desks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("topics", sa.String(length=26), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("signed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counter_device_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_device_id"], ["devices.id"], name=op.f("fk_desks_counter_device_id_devices"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_desks_location_id_locations")),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["staff_users.id"], name=op.f("fk_desks_staff_user_id_staff_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desks")),
        sa.UniqueConstraint("counter_device_id", name=op.f("uq_desks_counter_device_id")),
        sa.UniqueConstraint("location_id", "name", name=op.f("uq_desks_location_id_name")),
        sa.UniqueConstraint("staff_user_id", name=op.f("uq_desks_staff_user_id")),
    )
    op.create_table(
        "queue_calls",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["desks.id"], name=op.f("fk_queue_calls_desk_id_desks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_queue_calls_location_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_calls")),
    )
    with op.batch_alter_table("queue_calls", schema=None) as batch_op:
        batch_op.create_index("ix_queue_calls_location_id_id", ["location_id", "id"], unique=False)

    for table in QUEUED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            _queue_columns(batch_op, table)

    op.create_table(
        "visits",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=True),
        sa.Column("caseworker_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", BIG_ID, nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=8), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waited_seconds", sa.Integer(), nullable=False),
        sa.Column("service_seconds", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_visits_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["caseworker_id"], ["staff_users.id"], name=op.f("fk_visits_caseworker_id_staff_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["desk_id"], ["desks.id"], name=op.f("fk_visits_desk_id_desks"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_visits_location_id_locations")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_visits_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index("ix_visits_location_id_called_at", ["location_id", "called_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_visits_appointment_id"), ["appointment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visits_ticket_id"), ["ticket_id"], unique=False)

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waited_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("service_seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("service_seconds")
        batch_op.drop_column("waited_seconds")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_visits_appointment_id"))
        batch_op.drop_index("ix_visits_location_id_called_at")
    op.drop_table("visits")
    for table in reversed(QUEUED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"fk_{table}_served_by_staff_users"), type_="foreignkey")
            batch_op.drop_constraint(op.f(f"fk_{table}_target_desk_id_desks"), type_="foreignkey")
            batch_op.drop_constraint(op.f(f"fk_{table}_desk_id_desks"), type_="foreignkey")
            for column in ("recalls", "service_started_at", "served_by", "target_desk_id", "desk_id", "queue_topic"):
                batch_op.drop_column(column)
            if table == "appointments":
                for column in ("done_at", "called_at"):
                    batch_op.drop_column(column)
    with op.batch_alter_table("queue_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_calls_location_id_id")
    op.drop_table("queue_calls")
    op.drop_table("desks")
