import sqlite3
import subprocess
import sys
import textwrap

import pytest

from annotation.errors import ProjectError
from storage import schema
from storage.db import sqlite_engine
from storage.models import Base
from storage.project import Project


def test_a_project_is_a_folder_with_a_wal_database(project):
    for name in ("project.db", "media", "cache", "exports"):
        assert (project.root / name).exists()
    con = sqlite3.connect(project.db_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with project.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_the_known_head_is_alembics_head():
    assert schema.HEAD == schema.head_revision() == schema.all_revisions()[-1]


def test_migrations_build_the_schema_the_models_describe(project):
    with project.engine.connect() as c:
        tables = {r[0] for r in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in Base.metadata.tables.values():
            assert table.name in tables
            columns = {r[1] for r in c.exec_driver_sql(f"PRAGMA table_info({table.name})")}
            assert columns == {col.name for col in table.columns}, table.name


def test_opening_an_older_project_backs_it_up_then_upgrades(tmp_path):
    root = tmp_path / "old"
    (root / "media").mkdir(parents=True)
    engine = sqlite_engine(str(root / "project.db"))
    schema.upgrade(engine, "0001")  # as the first release of FaceLens left it
    with engine.begin() as c:
        c.exec_driver_sql("INSERT INTO media (kind, path, sha256, size_bytes, width, height, imported_at) "
                          "VALUES ('image', 'a.png', 'ab', 3, 10, 10, 0)")
    engine.dispose()

    with Project.open(root) as p:
        assert p.schema_version() == schema.head_revision()
        assert p.media.get(1).path == "a.png"
        assert p.segments.count() == 0  # the table the upgrade added
        assert p.audit.entries()[-1].action == "upgrade"
    (backup,) = (root / "backups").glob("project-0001-*.db")
    con = sqlite3.connect(backup)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    assert con.execute("SELECT path FROM media").fetchone()[0] == "a.png"


def test_a_newer_schema_is_refused_and_left_alone(project):
    with project.engine.begin() as c:
        c.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    root = project.root
    project.close()
    with pytest.raises(ProjectError, match="9999"):
        Project.open(root)
    assert not (root / "backups").exists()


def test_opening_something_that_is_not_a_project(tmp_path):
    with pytest.raises(ProjectError, match="no such project folder"):
        Project.open(tmp_path / "nope")
    with pytest.raises(ProjectError, match="no project.db"):
        Project.open(tmp_path)
    (tmp_path / "project.db").write_text("hello")
    with pytest.raises(ProjectError, match="not an SQLite database"):
        Project.open(tmp_path)


def test_creating_over_an_existing_project_is_refused(project):
    with pytest.raises(ProjectError, match="already a FaceLens project"):
        Project.create(project.root)


def test_a_committed_edit_survives_a_crash(tmp_path):
    """The process dies (os._exit: no cleanup, no close) right after an edit: the edit is in the project."""
    root = tmp_path / "crash"
    Project.create(root).close()
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(schema.MIGRATIONS_DIR.parents[1])!r})
        from storage.project import Project
        from annotation.model import Annotation
        from annotation.shapes import Box
        p = Project.open({str(root)!r})
        m = p.media.add_many([dict(kind="image", path="x.png", sha256="c" * 64, size_bytes=1, width=9, height=9)])[0]
        p.annotations.add(Annotation(media_id=m.id, shape=Box(1, 1, 5, 5)))
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    with Project.open(root) as p:
        assert p.annotations.count() == 1
        assert p.audit.verify() == []


def test_settings_are_kept_in_the_project(project):
    project.settings.set("annotator", "ana")
    root = project.root
    project.close()
    with Project.open(root) as p:
        assert p.settings.get("annotator") == "ana"
