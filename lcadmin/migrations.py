"""Applying and checking the alembic migrations from Python (tests, the CLI, the PostgreSQL check).

`reflex db migrate` does the same from the command line.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SAWarning
from sqlmodel import SQLModel

from alembic import command
from lcadmin import models  # noqa: F401  (fills SQLModel.metadata)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return config


def script_directory() -> ScriptDirectory:
    """The migrations this code carries (``alembic/versions``)."""
    return ScriptDirectory.from_config(_config())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision``."""
    config = _config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def pending_changes(engine: Engine) -> list:
    """What the models declare that the migrated database lacks (empty when the migrations are
    complete)."""
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite's reflection cannot read an index on an expression (the holders' lower(full_name)):
        # it is left out of the comparison on both sides, which the warning only says again.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index",
                                category=SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)
