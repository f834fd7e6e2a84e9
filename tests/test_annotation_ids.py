"""Ids of annotations, tracks and time segments are never handed out twice, so undo and redo (which put a record
back under its id) cannot collide with a record made in between, and the audit log's ids name one object each."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError

from annotation.commands import Add, UndoStack
from annotation.errors import InputError
from annotation.model import Annotation, MediaItem, TimeSegment, Track
from annotation.shapes import Box, Polygon
from storage import schema
from storage.db import sqlite_engine
from storage.project import Project


def _image(project, name="a.png", sha="a"):
    return project.media.add_many([dict(kind="image", path=name, sha256=sha * 64, size_bytes=1, width=100,
                                        height=80)])[0]


def _video(project):
    return project.media.add_many([dict(kind="video", path="v.mp4", sha256="v" * 64, size_bytes=1, width=64,
                                        height=48, fps=25.0, frame_count=50, duration=2.0)])[0]


def test_an_undone_shape_is_put_back_by_redo_after_another_process_added_one(project):
    media = _image(project)
    stack = UndoStack(project.store)
    drawn = stack.push(Add(Annotation(media_id=media.id, shape=Polygon(((1, 1), (20, 1), (10, 15)))))).records()[0]
    stack.undo()
    with Project.open(project.root) as cli:  # the CLI, say, adds a shape while the window has it undone
        other = cli.annotations.add(Annotation(media_id=media.id, shape=Box(5, 5, 9, 9)))
    assert other.id != drawn.id

    stack.redo()
    here = {a.id: a.shape for a in project.annotations.for_media(media.id)}
    assert here == {drawn.id: drawn.shape, other.id: Box(5, 5, 9, 9)}
    entries = [(e.action, e.entity) for e in project.audit.entries() if e.entity.startswith("annotation:")]
    assert entries == [("add", f"annotation:{drawn.id}"), ("delete", f"annotation:{drawn.id}"),
                       ("add", f"annotation:{other.id}"), ("restore", f"annotation:{drawn.id}")]
    assert project.audit.verify() == []


def test_ids_of_deleted_annotations_tracks_and_segments_are_not_given_again(project):
    image, video = _image(project), _video(project)
    a = project.annotations.add(Annotation(media_id=image.id, shape=Box(0, 0, 4, 4)))
    project.annotations.delete(a)
    assert project.annotations.add(Annotation(media_id=image.id, shape=Box(0, 0, 4, 4))).id > a.id
    # A bulk insert (model output) after a deletion does not take the id either.
    b = project.annotations.add(Annotation(media_id=image.id, shape=Box(1, 1, 4, 4)))
    project.annotations.delete(b)
    project.annotations.add_many([Annotation(media_id=image.id, shape=Box(2, 2, 4, 4))])
    assert max(x.id for x in project.annotations.for_media(image.id)) > b.id

    t = project.tracks.add(Track(media_id=video.id))
    project.tracks.delete(t)
    assert project.tracks.add(Track(media_id=video.id)).id > t.id

    s = project.segments.add(TimeSegment(media_id=video.id, tier="er", start=0.0, end=1.0))
    project.segments.delete(s)
    assert project.segments.add(TimeSegment(media_id=video.id, tier="er", start=0.0, end=1.0)).id > s.id


def test_undone_tracks_and_segments_come_back_under_their_ids_after_others_were_made(project):
    video = _video(project)
    stack = UndoStack(project.store)
    track = stack.push(Add(Track(media_id=video.id, name="left eye"))).records()[0]
    segment = stack.push(Add(TimeSegment(media_id=video.id, tier="fer", start=0.2, end=0.8,
                                         values={"label": "happy"}))).records()[0]
    stack.undo()
    stack.undo()
    project.tracks.add(Track(media_id=video.id, name="mouth"))
    project.segments.add(TimeSegment(media_id=video.id, tier="er", start=0.0, end=0.5))
    stack.redo()
    stack.redo()
    assert project.tracks.get(track.id).name == "left eye"
    assert project.segments.get(segment.id).values == {"label": "happy"}
    assert project.tracks.count() == 2 and project.segments.count() == 2


def test_a_redo_that_cannot_put_a_shape_back_says_why_and_changes_nothing(project):
    media = _image(project)
    stack = UndoStack(project.store)
    label = project.labels.by_name("hair")
    drawn = stack.push(Add(Annotation(media_id=media.id, shape=Box(1, 1, 9, 9), label_id=label.id))).records()[0]
    stack.undo()
    # Someone else puts the very same record back first (another window on the project, say).
    project.annotations.restore(drawn)
    before = len(project.audit.entries())
    with pytest.raises(InputError, match=rf"annotation {drawn.id} cannot be put back: .*already in the project"):
        stack.redo()
    assert stack.can_redo and len(project.audit.entries()) == before
    project.annotations.delete(drawn)

    track = project.tracks.add(Track(media_id=media.id))
    on_track = stack.push(Add(Annotation(media_id=media.id, shape=Box(2, 2, 8, 8), track_id=track.id))).records()[0]
    stack.undo()
    project.tracks.delete(track)
    with pytest.raises(InputError, match=rf"annotation {on_track.id} cannot be put back: its track {track.id} "
                                         "is no longer in the project"):
        stack.redo()
    assert project.annotations.get(on_track.id) is None


# --- upgrading a project made before ids were kept ---------------------------------------------------------------
def _table_rows(db, table):
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        con.close()


def _structure(db, table):
    """What a table is made of, as SQLite describes it: columns, indexes, foreign keys, AUTOINCREMENT."""
    con = sqlite3.connect(db)
    try:
        columns = con.execute(f"PRAGMA table_info({table})").fetchall()
        indexes = sorted((name, tuple(c[2] for c in con.execute(f"PRAGMA index_info({name})")))
                         for _, name, *_ in con.execute(f"PRAGMA index_list({table})"))
        keys = sorted(r[2:] for r in con.execute(f"PRAGMA foreign_key_list({table})"))
        sql = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
        checks = [part for part in ("annotation_kind", "segment_order") if part in sql]
        return columns, indexes, keys, checks, "AUTOINCREMENT" in sql.upper()
    finally:
        con.close()


def _old_media(engine, name: str, kind: str) -> MediaItem:
    """A media row as schema 0004 has it (this FaceLens's own records have columns added since)."""
    with engine.begin() as conn:
        media_id = conn.exec_driver_sql(
            "INSERT INTO media (kind, path, sha256, size_bytes, width, height, imported_at) VALUES (?, ?, ?, 1, 64, "
            "48, 0)", (kind, name, name[0] * 64)).lastrowid
    return MediaItem(id=media_id, kind=kind, path=name, sha256=name[0] * 64, size_bytes=1, width=64, height=48)


def _old_project(root):
    """A project as FaceLens left it at schema 0004, with records made and deleted through its repositories."""
    (root / "media").mkdir(parents=True)
    engine = sqlite_engine(str(root / "project.db"))
    schema.upgrade(engine, "0004")
    old = Project(root, engine)
    old.labels.add_builtin_taxonomy("faces")
    image, video = _old_media(engine, "a.png", "image"), _old_media(engine, "v.mp4", "video")
    face = old.labels.by_name("face")
    track = old.tracks.add(Track(media_id=video.id, label_id=face.id, name="her face"))
    gone_track = old.tracks.add(Track(media_id=video.id))
    kept = [old.annotations.add(Annotation(media_id=image.id, shape=Box(i, i, i + 5, i + 5), label_id=face.id))
            for i in range(3)]
    kept.append(old.annotations.add(Annotation(media_id=video.id, frame=4, track_id=track.id,
                                               shape=Polygon(((1, 1), (9, 1), (5, 7))), score=0.75)))
    gone = [old.annotations.add(Annotation(media_id=image.id, shape=Box(0, 0, 2, 2))) for _ in range(2)]
    for a in gone:  # the two newest: an old FaceLens would hand their ids out again
        old.annotations.delete(a)
    old.tracks.delete(gone_track)
    segment = old.segments.add(TimeSegment(media_id=video.id, tier="er", start=0.0, end=1.5, values={"label": "sad"}))
    gone_segment = old.segments.add(TimeSegment(media_id=video.id, tier="er", start=1.5, end=2.0))
    old.segments.delete(gone_segment)
    engine.dispose()
    return kept, gone, track, gone_track, segment, gone_segment


def test_an_older_project_upgrades_keeping_every_record_and_stops_reusing_ids(tmp_path):
    root = tmp_path / "old"
    kept, gone, track, gone_track, segment, gone_segment = _old_project(root)
    db = root / "project.db"
    tables = ("annotations", "tracks", "time_segments")
    before = {t: _table_rows(db, t) for t in tables}
    assert len(before["annotations"]) == 4 and not _structure(db, "annotations")[-1]

    with Project.open(root) as p:
        assert p.schema_version() == schema.HEAD == "0006"
        assert {t: _table_rows(db, t) for t in tables} == before  # every row, every column, ids included
        assert [a.id for a in p.annotations.iter_all()] == [a.id for a in kept]
        assert p.annotations.get(kept[-1].id) == kept[-1]
        assert p.tracks.get(track.id).name == "her face" and p.segments.get(segment.id).values == {"label": "sad"}
        assert p.audit.verify() == []
        assert p.audit.entries()[-1].action == "upgrade"

        image = p.media.all()[0]
        assert p.annotations.add(Annotation(media_id=image.id, shape=Box(1, 1, 3, 3))).id > max(a.id for a in gone)
        assert p.tracks.add(Track(media_id=track.media_id)).id > gone_track.id
        assert p.segments.add(TimeSegment(media_id=track.media_id, tier="fer", start=0, end=1)).id > gone_segment.id

        # The rebuilt tables still check what they checked and point where they pointed.
        with pytest.raises(IntegrityError):
            with p.engine.begin() as c:
                c.exec_driver_sql("INSERT INTO annotations (media_id, kind, attributes, geometry, source, annotator, "
                                  "created_at, updated_at) VALUES (1, 'blob', '{}', '{}', 'manual', '', 0, 0)")
        with pytest.raises(IntegrityError):
            p.annotations.add(Annotation(media_id=image.id, shape=Box(1, 1, 3, 3), track_id=999))
    (backup,) = (root / "backups").glob("project-0004-*.db")
    assert _table_rows(backup, "annotations") == before["annotations"]

    fresh = Project.create(tmp_path / "fresh")
    fresh.close()
    for t in tables:
        assert _structure(db, t) == _structure(fresh.db_path, t), t
        assert _structure(db, t)[-1], f"{t} is not AUTOINCREMENT"


def test_a_track_or_segment_that_cannot_be_put_back_is_said_in_words_and_nothing_changes(project):
    video = _video(project)
    track = project.tracks.add(Track(media_id=video.id, name="face"))
    segment = project.segments.add(TimeSegment(video.id, "er", 0.0, 1.0, "ada", {"label": "anger"}))
    entries = len(project.audit.entries())
    # Put back while the id is there already (another window or the command line put it back first)
    with pytest.raises(InputError, match=rf"^track {track.id} cannot be put back: the project refused it "
                                         r"\(UNIQUE constraint failed: tracks.id\); nothing was changed$"):
        project.tracks.restore(track)
    with pytest.raises(InputError, match=rf"^segment {segment.id} cannot be put back: the project refused it "
                                         r"\(UNIQUE constraint failed: time_segments.id\); nothing was changed$"):
        project.segments.restore(segment)
    assert len(project.audit.entries()) == entries and len(project.tracks.for_media(video.id)) == 1
