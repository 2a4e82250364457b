"""Alembic's entry point: the database URL comes from Balie's settings, never from an ini file."""

from __future__ import annotations

from alembic import context

from backoffice.db import make_engine
from backoffice.models import Base
from backoffice.settings import load_settings

config = context.config
url = config.attributes.get("database_url") or load_settings().database_url

if context.is_offline_mode():
    # `--sql`: print the DDL for a DBA (or a test) without connecting; shows the revision is portable.
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    # The same engine factory as the service: on SQLite, foreign keys are enforced while migrating too.
    engine = make_engine(url, pooled=False)
    try:
        with engine.connect() as connection:
            # Batch mode: SQLite cannot ALTER most things, Alembic rebuilds the table instead.
            context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
