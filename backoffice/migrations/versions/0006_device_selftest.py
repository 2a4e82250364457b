"""A device's last self-test report, for the fleet page.

Revision ID: 0006_device_selftest
Revises: 0005_desks
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_device_selftest"
down_revision = "0005_desks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("last_selftest", sa.JSON(), nullable=True))
    op.add_column("devices", sa.Column("last_selftest_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch_op:
        batch_op.drop_column("last_selftest_at")
        batch_op.drop_column("last_selftest")
