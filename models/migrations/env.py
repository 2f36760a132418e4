"""Alembic environment: runs against the engine rivalwatch hands over (see models.db.upgrade)."""

from alembic import context

import models  # noqa: F401  (registers every table on Base.metadata)
from models.base import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    from models.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
