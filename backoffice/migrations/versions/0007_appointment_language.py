"""The language the citizen chose at the kiosk when checking in, so the display also calls them in it.

Revision ID: 0007_appointment_language
Revises: 0006_device_selftest
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_appointment_language"
down_revision = "0006_device_selftest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("appointments", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch_op:
        batch_op.drop_column("language")
