"""Location settings: the remote configuration devices fetch (`GET /api/v1/config`).

Revision ID: 0004_location_settings
Revises: 0003_contacts
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_location_settings"
down_revision = "0003_contacts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "location_settings",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_location_settings_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_location_settings")),
    )


def downgrade() -> None:
    op.drop_table("location_settings")
