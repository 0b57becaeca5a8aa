"""Alembic environment for plain `alembic` commands and for lcadmin.migrations.

`reflex db migrate` drives alembic itself with the same metadata; this file serves the other
callers. A caller may hand over an open connection in ``config.attributes["connection"]``.
"""

from alembic import context
from sqlmodel import SQLModel

from lcadmin import models  # noqa: F401  (fills SQLModel.metadata)
from lcadmin.db import get_engine

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with get_engine().connect() as connection:
        _run(connection)
        connection.commit()
