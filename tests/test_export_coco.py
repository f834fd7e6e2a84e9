"""The COCO export as a training script and pycocotools read it: every file_name opens (the annotated video
frames are written beside the JSON), every annotation decodes to a mask, and COCOeval runs on it."""
import json
import os

import numpy as np
import pytest
from PIL import Image, ImageOps
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from annotation.model import Annotation
from annotation.shapes import Box, Keypoints, Mask, Points, Polygon, Tag
from storage.media.importer import import_paths
from tests.inprocess_cli import main_json, run_main
from tests.media_factory import indexed_video, photo, read_index

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


def test_every_image_opens_beside_the_json_and_shows_its_frame(labelled, tmp_path, capsys):
    project, still, video = labelled
    out = tmp_path / "elsewhere" / "coco.json"  # outside the project: paths must still resolve
    out.parent.mkdir()
    printed = run_main(capsys, "export", project.root, "--format", "coco", "--out", out).out
    assert f"the video frames it refers to are in {tmp_path / 'elsewhere' / 'coco_frames'}" in printed
    coco = COCO(str(out))
    assert sorted((img["media_id"], img["frame"]) for img in coco.imgs.values()) == [
        (still, None), (video, 4), (video, 17)]  # frame 23 has only a point
    for img in coco.imgs.values():
        path = os.path.join(out.parent, img["file_name"])  # what a training script does with its image root
        picture = np.asarray(Image.open(path).convert("RGB"))
        assert picture.shape == (img["height"], img["width"], 3)
        if img["frame"] is not None:
            assert img["file_name"] == f"coco_frames/v_m{video}/{img['frame']:06d}.jpg"
            assert read_index(picture) == img["frame"]  # the annotated frame itself, decoded from the video
        else:  # outside the project: by its absolute path, which os.path.join keeps
            assert img["file_name"] == (tmp_path / "src" / "still.png").as_posix()
            assert Image.open(path).tobytes() == Image.open(tmp_path / "src" / "still.png").tobytes()
    written = sorted(p.relative_to(out.parent).as_posix() for p in (out.parent / "coco_frames").rglob("*.jpg"))
    assert written == [f"coco_frames/v_m{video}/000004.jpg", f"coco_frames/v_m{video}/000017.jpg"]


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


def test_another_export_to_the_same_file_replaces_its_frames_but_not_a_users_folder(labelled, tmp_path, capsys):
    project, still, video = labelled
    out = tmp_path / "coco.json"
    run_main(capsys, "export", project.root, "--format", "coco", "--out", out)
    project.annotations.add(Annotation(media_id=video, frame=9, shape=Box(1, 1, 10, 10)))
    result = main_json(capsys, "export", project.root, "--format", "coco", "--out", out)
    assert result["frames_written"] == 3
    assert sorted(p.name for p in (tmp_path / "coco_frames").rglob("*.jpg")) == [
        "000004.jpg", "000009.jpg", "000017.jpg"]
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name or ".old" in p.name]

    mine = tmp_path / "mine_frames"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    err = run_main(capsys, "export", project.root, "--format", "coco", "--out", tmp_path / "mine.json", code=2).err
    assert f"{mine} holds files another export did not write" in err
    assert (mine / "notes.txt").read_text() == "keep me" and not (tmp_path / "mine.json").exists()
    assert json.loads(out.read_text())["images"]  # the earlier export is untouched

    # A frame it wrote, imported since as a photo of the project: the next export would replace the folder, file
    # and all (the project's photo was gone).
    frame = tmp_path / "coco_frames" / "v_m2" / "000009.jpg"
    [(taken, _)] = import_paths(project, [frame]).imported
    before = frame.read_bytes()
    err = run_main(capsys, "export", project.root, "--format", "coco", "--out", out, code=2).err
    assert err.strip() == (f"facelens: error: {out}: {tmp_path / 'coco_frames'} holds media {taken} of the project "
                           "(000009.jpg), and the export replaces that folder: relink the file elsewhere, or write "
                           "the export under another name")
    assert frame.read_bytes() == before and run_main(capsys, "verify", project.root).out.startswith("verify: ok")


def test_a_stopped_export_leaves_the_earlier_one_as_it_was(labelled, tmp_path, capsys):
    from storage.export import export_coco

    project, still, video = labelled
    out = tmp_path / "coco.json"
    export_coco(project, out)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and "coco" in p.as_posix()}
    project.annotations.add(Annotation(media_id=video, frame=9, shape=Box(1, 1, 10, 10)))
    seen = []

    def cancel_after_the_first_frame(done, total, what):
        seen.append((done, total))
        if done == 1:
            raise KeyboardInterrupt  # what Cancel in the window or Ctrl-C does between two frames

    with pytest.raises(KeyboardInterrupt):
        export_coco(project, out, progress=cancel_after_the_first_frame)
    assert seen == [(1, 3)]
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and "coco" in p.as_posix()}
    assert after == before and not [p for p in tmp_path.iterdir() if ".part" in p.name or ".old" in p.name]


def test_a_missing_video_is_named_and_nothing_is_written(labelled, tmp_path, capsys):
    project, still, video = labelled
    (tmp_path / "src" / "v.mp4").unlink()
    out = tmp_path / "coco.json"
    err = run_main(capsys, "export", project.root, "--format", "coco", "--out", out, code=2).err
    missing = tmp_path / "src" / "v.mp4"
    assert err.strip().startswith(f"facelens: error: {missing}: the media file is missing (moved or deleted? "
                                  f"`main.py relink PROJECT")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["proj", "src"]


def test_a_photo_changed_since_it_was_imported_is_named_and_nothing_is_written(labelled, tmp_path, capsys):
    """Its boxes were exported over whatever the file holds now (a video changed so was already refused)."""
    project, still, video = labelled
    changed = tmp_path / "src" / "still.png"
    changed.write_bytes(changed.read_bytes() + b"re-saved")
    out = tmp_path / "coco.json"
    err = run_main(capsys, "export", project.root, "--format", "coco", "--out", out, code=2).err
    assert err.strip().startswith(f"facelens: error: {changed}: the media file changed since it was imported (")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["proj", "src"]


# The astronaut's face upright in a 300x400 (portrait) crop of skimage's astronaut, and its box there.
UPRIGHT_FACE_BOX = (79, 21, 171, 128)


def _phone_photo(path, stored: np.ndarray, orientation: int | None):
    """A JPEG as a phone saves it: the sensor's pixels, and the turn to show them upright in its EXIF."""
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    Image.fromarray(stored).save(path, quality=95, exif=exif.tobytes())
    return path


def test_a_photo_turned_by_exif_is_exported_upright_so_its_masks_fit_without_exif(tmp_path, capsys):
    """The project's width, height and masks are the photo as shown; a loader that ignores EXIF (torchvision's
    CocoDetection, plain PIL) read the original's stored pixels, turned: 400x300 under a 300x400 mask."""
    from skimage import data

    upright = np.ascontiguousarray(data.astronaut()[50:450, 100:400])
    for folder in "abc":
        (tmp_path / folder).mkdir()
    files = [_phone_photo(tmp_path / "a" / "face.jpg", np.rot90(upright, 1), 6),  # shown turned 90° clockwise
             _phone_photo(tmp_path / "b" / "face.jpg", np.rot90(upright, 2), 3),  # same name, upside down
             _phone_photo(tmp_path / "c" / "plain.jpg", upright, None)]
    root = tmp_path / "proj"
    run_main(capsys, "new", root)
    ids = [m["id"] for m in main_json(capsys, "import", root, *files)["imported"]]
    box = ",".join(map(str, UPRIGHT_FACE_BOX))
    for media_id in ids:
        run_main(capsys, "segment", root, media_id, "--box", box)  # GrabCut: no SAM 2 weights here
    out = tmp_path / "coco.json"
    result = main_json(capsys, "export", root, "--format", "coco", "--out", out)
    assert result["upright_photos_written"] == 2 and result["frames_written"] == 0

    coco = COCO(str(out))
    by_media = {img["media_id"]: img for img in coco.imgs.values()}
    names = [by_media[i]["file_name"] for i in ids]
    assert names[0].startswith("coco_frames/") and names[1].startswith("coco_frames/") and names[0] != names[1]
    assert names[2] == files[2].as_posix()  # not turned: the original, where it is
    for media_id, original in zip(ids, files):
        img = by_media[media_id]
        with Image.open(out.parent / img["file_name"]) as plain:  # no exif_transpose: as a training script reads it
            assert plain.size == (img["width"], img["height"]) == (300, 400)
            assert plain.getexif().get(0x0112, 1) == 1
            picture = np.asarray(plain.convert("RGB"))
        with Image.open(original) as shown:
            assert np.array_equal(picture, np.asarray(ImageOps.exif_transpose(shown).convert("RGB")))
        (ann,) = coco.loadAnns(coco.getAnnIds(imgIds=[img["id"]]))
        mask = coco.annToMask(ann).astype(bool)
        assert mask.shape == picture.shape[:2]
        x0, y0, x1, y1 = UPRIGHT_FACE_BOX
        assert mask[75, 122] and not mask[:, :x0].any() and not mask[y1:].any()  # on the face: the nose, not beyond

    printed = run_main(capsys, "export", root, "--format", "coco", "--out", out).out  # again, over the first
    assert "0 frames written, 2 upright photos written" in printed
    assert f"the upright copies of turned photos it refers to are in {tmp_path / 'coco_frames'}" in printed
    assert sorted(p.name for p in (tmp_path / "coco_frames").iterdir()) == sorted(n.split("/")[1] for n in names[:2])
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name or ".old" in p.name]

    files[0].write_bytes(files[0].read_bytes() + b"re-saved")  # a turned photo changed since import is still refused
    err = run_main(capsys, "export", root, "--format", "coco", "--out", tmp_path / "again.json", code=2).err
    assert f"{files[0]}: the media file changed since it was imported (" in err
    assert not (tmp_path / "again.json").exists() and not (tmp_path / "again_frames").exists()


def test_images_and_their_annotations_come_in_media_and_frame_order(labelled, tmp_path, capsys):
    # A propagation stores frames 0..N, then a correction re-stores frame 11: the export listed frame 0, frame 11,
    # frame 1, ... (the order the annotations were made in).
    project, still, video = labelled
    face = project.labels.by_name("face").id
    for frame in (29, 2, 11):
        project.annotations.add(Annotation(media_id=video, frame=frame, shape=Box(1, 1, 9, 9), label_id=face))
    out = tmp_path / "coco.json"
    run_main(capsys, "export", project.root, "--format", "coco", "--out", out)
    coco = json.loads(out.read_text())
    order = [(img["media_id"], -1 if img["frame"] is None else img["frame"]) for img in coco["images"]]
    assert order == sorted(order) and [f for m, f in order if m == video] == [2, 4, 11, 17, 29]
    assert [img["id"] for img in coco["images"]] == list(range(1, len(order) + 1))
    images = [a["image_id"] for a in coco["annotations"]]
    assert images == sorted(images)  # each image's annotations together, in the images' order


def test_annotations_without_a_label_keep_a_category_name_of_their_own(labelled, tmp_path, capsys):
    """The user has a label called "unlabelled" too: the export listed two categories of that name, which tools
    that map categories by name cannot tell apart."""
    project, still, video = labelled
    run_main(capsys, "labels", "add", project.root, "faces", "unlabelled")
    theirs = project.labels.by_name("unlabelled").id
    project.annotations.add_many([Annotation(media_id=still, shape=Box(1, 1, 9, 9), label_id=theirs),
                                  Annotation(media_id=still, shape=Box(2, 2, 9, 9))])  # no label at all
    out = tmp_path / "coco.json"
    run_main(capsys, "export", project.root, "--format", "coco", "--out", out)
    coco = json.loads(out.read_text())
    names = [c["name"] for c in coco["categories"]]
    assert len(names) == len(set(names)) and {"unlabelled", "unlabelled (no label)"} <= set(names)
    by_name = {c["name"]: c["id"] for c in coco["categories"]}
    boxes = {tuple(a["bbox"]): a["category_id"] for a in coco["annotations"] if a["image_id"] == 1}
    assert boxes[(1, 1, 8, 8)] == by_name["unlabelled"] and boxes[(2, 2, 7, 7)] == by_name["unlabelled (no label)"]
