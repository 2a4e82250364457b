"""The omnichannel contact history (under a keyed-hash citizen key) and the API keys of other channels.

Portable like the earlier revisions: strings for channels, `Uuid`, `JSON`, timestamps with time zone.

Revision ID: 0003_contacts
Revises: 0002_counter_data
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_contacts"
down_revision = "0002_counter_data"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_channel_keys_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_channel_keys_name")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("citizen_key", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.Column("caseworker_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("feedback", sa.JSON(), nullable=True),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["caseworker_id"],
            ["staff_users.id"],
            name=op.f("fk_contacts_caseworker_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_contacts_location_id_locations"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_citizen_started", ["citizen_key", "started_at"], unique=False)
        batch_op.create_index("ix_contacts_started_at", ["started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_started_at")
        batch_op.drop_index("ix_contacts_citizen_started")
    op.drop_table("contacts")
    op.drop_table("channel_keys")
