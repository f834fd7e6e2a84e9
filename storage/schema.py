"""Schema versions: Alembic migrations run in-process on a project's database."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def all_revisions() -> list[str]:
    """Oldest first."""
    return [s.revision for s in reversed(list(ScriptDirectory.from_config(_config()).walk_revisions()))]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``. Foreign keys are checked after, not during, because SQLite's
    batch migrations copy tables."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        if sqlite:  # outside any transaction, where SQLite honours it
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            if sqlite:
                bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if bad:
                    raise RuntimeError(f"the upgrade left {len(bad)} rows with broken references: {bad[:5]}")
            conn.commit()
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")
