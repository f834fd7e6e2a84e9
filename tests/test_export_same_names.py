"""Two videos with the same file name in different folders (imported where they are, without --copy): every
export keeps them apart, so no row, tier or image shows the other video's frames or loses its labels."""
import csv
import json
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from annotation.model import Annotation, TimeSegment
from annotation.shapes import Box, Mask
from storage.media.encode import write_video
from storage.media.importer import import_paths
from storage.project import Project
from tests.inprocess_cli import main_json
from tests.media_factory import index_frame, read_index

FIRST_B = 500  # video B's frames spell 500, 501, ...: a frame tells which video it came from


@pytest.fixture
def twins(tmp_path):
    """A project with a/clip.mp4 (frames 0..49) and b/clip.mp4 (frames 500..549), both labelled 0–1 s."""
    for folder, first in (("a", 0), ("b", FIRST_B)):
        (tmp_path / folder).mkdir()
        write_video(tmp_path / folder / "clip.mp4", (index_frame(first + i) for i in range(50)), fps=25.0, gop=10)
    root = tmp_path / "proj"
    with Project.create(root) as p:
        report = import_paths(p, [tmp_path / "a" / "clip.mp4", tmp_path / "b" / "clip.mp4"])
        a, b = (i for i, _ in report.imported)
        p.segments.add_many([TimeSegment(a, "er", 0, 1, "alice", {"label": "happiness"}),
                             TimeSegment(b, "er", 0, 1, "alice", {"label": "sadness"}),
                             TimeSegment(b, "fer", 1, 2, "alice", {"label": "anger"})])
    return root, {a: 0, b: FIRST_B}


def first_frame_index(path: Path) -> tuple[int, int]:
    """The index spelled by a clip's first frame, and how many frames it has."""
    with av.open(str(path)) as clip:
        frames = [f.to_ndarray(format="rgb24") for f in clip.decode(video=0)]
    return read_index(frames[0]), len(frames)


def test_training_dataset_writes_one_clip_per_video_and_stretch(twins, tmp_path, capsys):
    root, first = twins
    out = tmp_path / "dataset"
    result = main_json(capsys, "export", root, "--format", "emotion-dataset", "--out", out)
    rows = list(csv.DictReader(open(out / "labels.csv")))
    assert len(rows) == 3 and len({r["clip"] for r in rows}) == 3
    assert result["clips"] == 3 == len(list((out / "clips").iterdir()))  # what it says is what it wrote
    for row in rows:
        shown, frames = first_frame_index(out / row["clip"])
        video = FIRST_B if row["media"].endswith("b/clip.mp4") else 0
        start = round(float(row["start"]) * 25)
        assert (shown, frames) == (video + start, 25), row  # the row's own video, from its own start
    labels = {(r["media"].split("/")[-2], r["label"]) for r in rows}
    assert labels == {("a", "happiness"), ("b", "sadness"), ("b", "anger")}


def test_elan_export_writes_one_file_per_video_even_when_their_names_clash(twins, tmp_path, capsys):
    import pympi

    root, first = twins
    out = tmp_path / "two.eaf"
    result = main_json(capsys, "export", root, "--format", "eaf", "--out", out)
    folder = tmp_path / "two"
    files = sorted(folder.iterdir())
    assert len(files) == 2 and sorted(result["files"]) == [str(f) for f in files]
    seen = {}
    for f in files:
        eaf = pympi.Elan.Eaf(str(f))
        (media,) = eaf.media_descriptors
        video = (f.parent / media["RELATIVE_MEDIA_URL"]).resolve()
        seen[video.parent.name] = {t: eaf.get_annotation_data_for_tier(t) for t in eaf.get_tier_names()}
    assert seen == {"a": {"ER - alice": [(0, 1000, "happiness")]},
                    "b": {"ER - alice": [(0, 1000, "sadness")], "FER - alice": [(1000, 2000, "anger")]}}
    with Project.open(root) as p:
        entry = [e for e in p.audit.entries() if e.action == "export"][-1]
    assert sorted(entry.payload["files"]) == [str(f) for f in files]


def test_coco_frames_of_two_videos_named_alike_are_two_images(twins, tmp_path, capsys):
    root, first = twins
    with Project.open(root) as p:
        for media_id in first:
            m = np.zeros((96, 192), bool)
            m[10:40, 20:60] = True
            p.annotations.add(Annotation(media_id=media_id, frame=3, shape=Mask.from_array(m)))
            p.annotations.add(Annotation(media_id=media_id, frame=7, shape=Box(5, 5, 50, 30)))
    out = tmp_path / "coco.json"
    result = main_json(capsys, "export", root, "--format", "coco", "--out", out)
    coco = COCO(str(out))
    names = [img["file_name"] for img in coco.imgs.values()]
    assert len(names) == len(set(names)) == 4 and result["frames_written"] == 4
    for img in coco.imgs.values():
        picture = np.asarray(Image.open(out.parent / img["file_name"]).convert("RGB"))
        assert picture.shape == (img["height"], img["width"], 3)
        assert read_index(picture) == first[img["media_id"]] + img["frame"]  # that video's frame, decoded
        assert len(coco.getAnnIds(imgIds=[img["id"]])) == 1
    assert json.loads(out.read_text())["images"][0]["file_name"].startswith("coco_frames/")
