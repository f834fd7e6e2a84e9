"""Schema versions: Alembic migrations run in-process on a project's database."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions (a test checks it against Alembic's own answer). Opening a project
# that is already at this revision needs no Alembic at all, which keeps a project's cold open fast.
HEAD = "0006"


def _config():
    # Alembic is imported only when migrations are walked or run.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def all_revisions() -> list[str]:
    """Oldest first."""
    from alembic.script import ScriptDirectory

    return [s.revision for s in reversed(list(ScriptDirectory.from_config(_config()).walk_revisions()))]


def current_revision(engine: Engine) -> str | None:
    """The database's revision (None for a database Alembic never touched)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError:
            return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``. Foreign keys are checked after, not during, because SQLite's
    batch migrations copy tables."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        if sqlite:  # outside any transaction, where SQLite honours it
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            from alembic import command

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
