"""The COCO export as pycocotools reads it: every annotation decodes to a mask, COCOeval runs on it, and named
landmarks are COCO keypoints."""

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from annotation.model import Annotation
from annotation.shapes import Box, Keypoints, Mask, Points, Polygon, Tag
from storage.media.importer import import_paths
from tests.inprocess_cli import run_main
from tests.media_factory import indexed_video, photo

LANDMARKS = ("left eye", "right eye", "nose")


@pytest.fixture
def labelled(project, tmp_path):
    """A photo and a 30-frame video whose frames spell their index, with one shape of each kind."""
    src = tmp_path / "src"
    src.mkdir()
    report = import_paths(project, [photo(src / "still.png", 64, 48), indexed_video(src / "v.mp4", frames=30)])
    still, video = (i for i, _ in report.imported)
    face, eye = project.labels.by_name("face").id, project.labels.by_name("eye").id
    m = np.zeros((96, 192), bool)
    m[20:50, 30:90] = True
    project.annotations.add_many([
        Annotation(media_id=still, shape=Box(4, 6, 24, 36), label_id=face),
        Annotation(media_id=still, shape=Tag(), label_id=face),
        Annotation(media_id=video, frame=4, shape=Mask.from_array(m), label_id=face, track_id=None),
        Annotation(media_id=video, frame=4, shape=Box(30, 20, 90, 50), label_id=face),
        Annotation(media_id=video, frame=4, shape=Keypoints(((40, 30, 2), (70, 30, 2), (55, 40, 1)), LANDMARKS),
                   label_id=face),
        Annotation(media_id=video, frame=17, shape=Polygon([(0, 0), (50, 0), (50, 40)]), label_id=eye),
        Annotation(media_id=video, frame=17, shape=Points([(12, 9)]), label_id=eye),  # the point tool's click
        Annotation(media_id=video, frame=17, shape=Points([(20, 20)]), attributes={"role": "prompt"}),
        Annotation(media_id=video, frame=23, shape=Points([(5, 5)]), label_id=eye),  # only a point: no image
    ])
    return project, still, video


def test_every_annotation_decodes_to_a_mask_and_cocoeval_runs(labelled, tmp_path, capsys):
    project, still, video = labelled
    out = tmp_path / "coco.json"
    printed = run_main(capsys, "export", project.root, "--format", "coco", "--out", out).out
    coco = COCO(str(out))
    for ann in coco.anns.values():
        mask = coco.annToMask(ann)
        assert mask.sum() == pytest.approx(ann["area"], rel=0.1), ann
        if ann["bbox"] == [30, 20, 60, 30] and not ann.get("num_keypoints"):  # the box: its own corners
            assert mask[20:50, 30:90].all() and mask.sum() == 60 * 30
    assert len(coco.anns) == 5  # box, mask, polygon, landmarks; the photo's box
    assert "left out (no coco form): 2 points, 1 prompts, 1 tags" in printed
    for iou in ("bbox", "segm"):
        detections = coco.loadRes([{**a, "score": 1.0} for a in coco.anns.values()])
        ev = COCOeval(coco, detections, iou)
        ev.evaluate(), ev.accumulate()
        ev.summarize()
        assert ev.stats[0] == pytest.approx(1.0)  # the labels scored against themselves


def test_landmarks_are_coco_keypoints_of_their_category(labelled, tmp_path, capsys):
    project, still, video = labelled
    out = tmp_path / "coco.json"
    run_main(capsys, "export", project.root, "--format", "coco", "--out", out)
    coco = COCO(str(out))
    face = coco.loadCats(coco.getCatIds(catNms=["face"]))[0]
    assert face["keypoints"] == list(LANDMARKS) and face["skeleton"] == []
    anns = coco.loadAnns(coco.getAnnIds(catIds=[face["id"]]))
    assert all(len(a["keypoints"]) == 3 * len(LANDMARKS) for a in anns)  # boxes and masks of faces too, as zeros
    (marked,) = [a for a in anns if a["num_keypoints"]]
    assert marked["keypoints"] == [40, 30, 2, 70, 30, 2, 55, 40, 1] and marked["num_keypoints"] == 3
    assert "keypoints" not in coco.loadCats(coco.getCatIds(catNms=["eye"]))[0]  # points never made it one
    ev = COCOeval(coco, coco.loadRes([{**a, "score": 1.0} for a in anns if a["num_keypoints"]]), "keypoints")
    ev.params.catIds = [face["id"]]
    ev.params.kpt_oks_sigmas = np.full(len(LANDMARKS), 0.05)
    ev.evaluate(), ev.accumulate()
    ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)
