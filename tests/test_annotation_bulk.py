"""The bulk paths that model output and the timeline use: ``add_many`` and ``for_media(media, frame)``."""
import numpy as np
import pytest

from annotation.model import Annotation
from annotation.shapes import Box, Mask, Points


def _video(project):
    return project.media.add_many([dict(kind="video", path="v.mp4", sha256="a" * 64, size_bytes=1, width=64,
                                        height=48, fps=25.0, frame_count=10, duration=0.4, codec="h264")])[0]


def test_add_many_stores_what_add_stores_with_one_audit_entry(project):
    video = _video(project)
    label = project.labels.all()[0]
    mask = np.zeros((48, 64), bool)
    mask[10:20, 5:30] = True
    shapes = [Box(1, 2, 3, 4), Mask.from_array(mask), Points(((5, 6),), (0,))]
    records = [Annotation(media_id=video.id, frame=f, shape=s, label_id=label.id, score=0.5, source="model-x",
                          attributes={"occluded": True} if f == 2 else {})
               for f, s in enumerate(shapes)]
    records.append(Annotation(media_id=video.id, frame=2, shape=Box(0, 0, 1, 1), annotator="alice"))
    before = len(project.audit.entries())
    assert project.annotations.add_many(records, action="model output") == 4
    entries = project.audit.entries()
    assert len(entries) == before + 1 and entries[-1].action == "model output"
    assert project.audit.verify() == []
    on_2 = project.annotations.for_media(video.id, 2)
    assert [a.shape for a in on_2] == [shapes[2], Box(0, 0, 1, 1)]
    assert on_2[0].attributes == {"occluded": True} and on_2[1].attributes == {}
    assert [a.annotator for a in on_2] == ["tester", "alice"]  # stamped with the user unless given
    assert on_2[0].score == 0.5 and on_2[0].source == "model-x" and on_2[0].label_id == label.id
    assert np.array_equal(project.annotations.for_media(video.id, 1)[0].shape.to_array(), mask)
    # The per-frame read and the general one agree, record for record.
    everything = project.annotations.for_media(video.id)
    assert [a for a in everything if a.frame == 2] == on_2
    assert project.annotations.for_media(video.id, 7) == []
    assert project.annotations.add_many([]) == 0
    # Only some kinds (SAM 2's prompts of a video without reading its masks): the same records, filtered.
    prompts = project.annotations.for_media(video.id, kinds=("points", "box"))
    assert prompts == [a for a in everything if a.kind in ("points", "box")] and len(prompts) == 3
    assert project.annotations.for_media(video.id, 2, kinds=("points",)) == on_2[:1]
    assert project.annotations.for_media(video.id, 1, kinds=("points", "box")) == []


def test_a_bad_row_in_a_bulk_insert_leaves_the_project_unchanged(project):
    video = _video(project)
    good = Annotation(media_id=video.id, frame=0, shape=Box(0, 0, 1, 1))
    bad = Annotation(media_id=video.id + 99, frame=0, shape=Box(0, 0, 1, 1))  # no such media
    entries = len(project.audit.entries())
    try:
        project.annotations.add_many([good, bad])
    except Exception:
        pass
    else:
        raise AssertionError("a row for a missing media was accepted")
    assert project.annotations.count() == 0 and len(project.audit.entries()) == entries


def test_bulk_inserted_geometry_is_the_same_json_as_a_single_add(project):
    import json
    import sqlite3

    video = _video(project)
    odd = Mask(size=(4, 5), counts='1a\\b"c\u00e9')  # backslash, quote, non-ASCII: all must be escaped alike
    one = project.annotations.add(Annotation(media_id=video.id, frame=0, shape=odd))
    project.annotations.add_many([Annotation(media_id=video.id, frame=1, shape=odd)])
    with sqlite3.connect(project.db_path) as conn:
        stored = dict(conn.execute("SELECT frame, geometry FROM annotations").fetchall())
    assert stored[0] == stored[1] == json.dumps(odd.to_geometry())
    assert project.annotations.for_media(video.id, 1)[0].shape == one.shape == odd


def test_bulk_inserted_masks_are_written_as_json_writes_them(project):
    import json
    import sqlite3

    video = _video(project)
    column = np.zeros((48, 64), bool)
    column[44:, 0] = True  # a first run of 44 is written "\\0" (groups 12 and 1, 48 + 32 + 12 = 92)
    detailed = Mask.from_array(column | (np.random.default_rng(0).random((48, 64)) > 0.5) * (np.arange(64) > 0))
    assert "\\" in detailed.counts  # COCO RLE's one character JSON escapes
    odd = ['a"b', "a\tb\\", "del\x7f", "\x00", "", "é", detailed.counts]
    masks = [detailed] + [Mask(size=(4, 5), counts=c) for c in odd]
    project.annotations.add_many([Annotation(media_id=video.id, frame=f, shape=m) for f, m in enumerate(masks)])
    with sqlite3.connect(project.db_path) as conn:
        stored = dict(conn.execute("SELECT frame, geometry FROM annotations").fetchall())
    assert [stored[f] for f in range(len(masks))] == [json.dumps(m.to_geometry()) for m in masks]
    assert [a.shape for a in project.annotations.for_media(video.id)] == masks


def test_add_many_replacing_swaps_model_output_in_one_audited_transaction(project):
    video = _video(project)
    old = [project.annotations.add(Annotation(media_id=video.id, frame=f, shape=Box(0, 0, 2, 2), source="sam2"))
           for f in range(3)]
    kept = project.annotations.add(Annotation(media_id=video.id, frame=0, shape=Box(5, 5, 9, 9)))
    before = len(project.audit.entries())
    new = [Annotation(media_id=video.id, frame=f, shape=Box(1, 1, 3, 3), source="sam2") for f in range(2)]
    assert project.annotations.add_many(new, action="propagate", replacing=[a.id for a in old]) == 2
    left = project.annotations.for_media(video.id)
    assert kept in left and not any(a.id in {o.id for o in old} for a in left)
    assert sorted(a.frame for a in left if a.source == "sam2") == [0, 1]
    entries = project.audit.entries()
    assert len(entries) == before + 1 and entries[-1].payload["replaced"] == sorted(a.id for a in old)
    assert project.audit.verify() == []
    # A bad row undoes the deletes too: nothing is lost.
    bad = Annotation(media_id=video.id + 99, frame=0, shape=Box(0, 0, 1, 1))
    with pytest.raises(Exception):  # the database refuses a row for a missing media
        project.annotations.add_many([bad], replacing=[kept.id])
    assert kept in project.annotations.for_media(video.id)
