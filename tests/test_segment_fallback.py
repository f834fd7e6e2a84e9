"""Segmenting without SAM 2 weights: GrabCut answers the same clicks and box, and the CLI says so."""
import json

import numpy as np
import pytest
from skimage import data

from annotation.errors import InputError
from annotation.shapes import Mask
from engine.segmentation.grabcut import GrabCutSegmenter
from engine.segmentation.prompt import Prompt
from tests.cli import run_cli, run_json
from tests.inprocess_cli import main_json, run_main

FACE_BOX = (179, 71, 271, 178)  # the astronaut's face in skimage.data.astronaut()


def _face_checks(mask: np.ndarray) -> None:
    x0, y0, x1, y1 = FACE_BOX
    inside = np.zeros_like(mask)
    inside[y0:y1, x0:x1] = True
    assert mask.shape == (512, 512)
    assert not (mask & ~inside).any()  # nothing outside the box
    assert 0.55 < mask[inside].mean() < 0.97  # most of the box, but not the whole rectangle
    for x, y in ((222, 125), (204, 102), (246, 104), (224, 150)):  # nose, both eyes, mouth
        assert mask[y, x], (x, y)
    for x, y in ((182, 74), (268, 74)):  # hair and background in the box's upper corners
        assert not mask[y, x], (x, y)


def test_grabcut_on_the_astronaut_face_box_gives_the_face():
    result = GrabCutSegmenter().segment("astronaut", None, data.astronaut(), Prompt(box=FACE_BOX))
    _face_checks(result.mask)
    assert result.segmenter == "grabcut" and result.score is None


def test_grabcut_click_on_a_non_square_image_finds_the_clicked_object():
    # A 320 x 200 picture with a red disc at x=250, y=60: a swapped x/y would miss it (y=250 is off the image).
    rng = np.random.default_rng(1)
    image = rng.integers(90, 140, (200, 320, 3), dtype=np.uint8)
    yy, xx = np.mgrid[:200, :320]
    disc = (xx - 250) ** 2 + (yy - 60) ** 2 <= 30 ** 2
    image[disc] = (220, 30, 30)
    result = GrabCutSegmenter().segment("disc", None, image, Prompt(points=((250, 60),)))
    assert result.mask.shape == (200, 320)
    iou = (result.mask & disc).sum() / (result.mask | disc).sum()
    assert iou > 0.85
    negative = GrabCutSegmenter().segment("disc", None, image, Prompt(((250, 60), (250, 45)), (1, 0)))
    assert not negative.mask[45, 250]  # a negative click carves its spot out


@pytest.mark.parametrize("width, height, where", [(2000, 200, 0.5), (2000, 200, 0.9), (2000, 200, 0.075),
                                                  (200, 2000, 0.9), (200, 2000, 0.15), (640, 480, 0.5)])
def test_grabcut_click_inside_a_large_even_object_finds_all_of_it_on_any_shape_of_image(width, height, where):
    """A click on a banner across a wide image (near its middle, near a thin end, off its centre) or on a region
    filling most of a photo: the crop around the click stayed inside the object, whose colour GrabCut then had to
    take for background, and a blob, a mask cut off by a straight edge, or mostly background came back."""
    import cv2

    image = np.full((height, width, 3), 128, np.uint8)
    axes = (int(width * 0.45), int(height * 0.4)) if width > height else (int(width * 0.4), int(height * 0.45))
    cv2.ellipse(image, (width // 2, height // 2), axes, 0, 0, 360, (200, 40, 40), -1)
    banner = np.all(image == (200, 40, 40), axis=2)
    click = (width * where, height / 2) if width > height else (width / 2, height * where)
    assert banner[int(click[1]), int(click[0])]
    result = GrabCutSegmenter().segment("banner", None, image, Prompt(points=(click,)))
    assert (result.mask & banner).sum() / (result.mask | banner).sum() > 0.9


def test_grabcut_click_on_a_colour_that_reaches_the_pictures_edges_finds_all_of_it():
    """A photo green but for a grey strip at the top: the picture's border was taken for sure background."""
    image = np.full((600, 800, 3), (40, 160, 40), np.uint8)
    image[:40] = 128
    result = GrabCutSegmenter().segment("green", None, image, Prompt(points=((400, 300),)))
    assert result.mask[40:].mean() > 0.95 and not result.mask[:40].any()


def test_grabcut_gives_the_same_mask_for_the_same_click_whatever_ran_before():
    """Its colour models start from k-means with OpenCV's random state: the astronaut's nose gave face and hair
    (18,000 pixels) or the face alone (8,600) depending on the segmentations made before in the same process."""
    face = Prompt(points=((222, 125),))
    first = GrabCutSegmenter().segment("astronaut", None, data.astronaut(), face).mask
    GrabCutSegmenter().segment("astronaut", None, data.astronaut(), Prompt(points=((100, 400),)))
    assert np.array_equal(GrabCutSegmenter().segment("astronaut", None, data.astronaut(), face).mask, first)


def test_a_point_outside_the_image_is_refused_by_name():
    with pytest.raises(InputError, match=r"point 2 \(320, 10\) lies outside the 320x200 image"):
        Prompt(((5, 5), (320, 10))).validate(320, 200)
    with pytest.raises(InputError, match="box"):
        Prompt(box=(10, 10, 400, 50)).validate(320, 200)


def test_cli_segment_without_weights_uses_grabcut_and_says_which_file_is_missing(demo_dir, capsys):
    out = main_json(capsys, "segment", demo_dir, 1, "--box", ",".join(map(str, FACE_BOX)), "--label", "face")
    assert set(out) >= {"annotation_id", "track_id", "area", "score", "rle"}
    assert out["segmenter"]["kind"] == "grabcut"
    assert "sam2.1_hiera_tiny.pt" in out["segmenter"]["note"]
    mask = Mask(size=tuple(out["rle"]["size"]), counts=out["rle"]["counts"]).to_array()
    _face_checks(mask)
    assert out["area"] == int(mask.sum()) and out["track_id"] is None

    from storage.project import Project

    with Project.open(demo_dir) as p:
        stored = p.annotations.get(out["annotation_id"])
        assert stored.source == "grabcut" and stored.label_id == p.labels.by_name("face").id
        assert stored.attributes["prompt"]["box"] == list(map(float, FACE_BOX))


def test_cli_segment_says_that_a_box_helps_when_a_click_finds_only_a_blob(demo_dir, capsys):
    """The window said it (a click on the astronaut's suit finds a few hundred pixels), the CLI did not."""
    said = run_main(capsys, "segment", demo_dir, 1, "--point", "166,287", "--json")
    out = json.loads(said.out)
    area = out["area"]
    assert 0 < area < 1000 and out["hint"].startswith(f"GrabCut found only {area} pixels")  # (for scripts too)
    assert f"facelens: GrabCut found only {area} pixels around the click: for a larger object of many shades, " \
           f"draw a box around it (--box X0,Y0,X1,Y1)" in said.err
    assert "found only" not in run_main(capsys, "segment", demo_dir, 1, "--box", ",".join(map(str, FACE_BOX))).err


def test_cli_segment_errors_are_one_line_and_change_nothing(demo_dir, capsys):
    cases = [
        (("segment", demo_dir, 1, "--frame", "3", "--point", "10,10"), "is an image; --frame applies to videos"),
        (("segment", demo_dir, 1, "--point", "10"), "expected X,Y or X,Y,1"),
        (("segment", demo_dir, 1, "--point", "5,5", "--point", "10,20,2"), "--point 10,20,2: the third number is the "
                                                                           "label, 1 (positive) or 0 (negative)"),
        (("segment", demo_dir, 2, "--frame", "150", "--point", "10,10"), "frame 150 is outside the video (0..149)"),
        (("segment", demo_dir, 1, "--point", "1,1", "--label", "nose"), "field 'label': no label 'nose'"),
        (("track", demo_dir, 1), "is an image; track follows objects through a video"),
        (("track", demo_dir, 2, "--frames", "5:500"), "--frames '5:500'"),
        (("track", demo_dir, 2), "propagation needs SAM 2"),
        (("segment", demo_dir / "nope", 1, "--point", "1,1"), "no such project folder"),
        # corners given backwards (or X,Y,W,H) were silently swapped into another box
        (("segment", demo_dir, 1, "--box", "600,100,400,300"), "expected two corners X0,Y0,X1,Y1 with X1 > X0"),
        # a seed without random weights was ignored without a word (GrabCut ran)
        (("segment", demo_dir, 1, "--point", "10,10", "--seed", "5"), "--seed: it seeds random weights"),
        # a negative point alone made a new object of whatever the segmenter found
        (("segment", demo_dir, 1, "--point", "10,10,0"), "a new object needs a positive point (X,Y or X,Y,1) or a"),
        # "expected one argument": argparse took a point left of the image for another option
        (("segment", demo_dir, 1, "--point", "-1,10"), "point 1 (-1, 10) lies outside the 512x512 image"),
        # (it said "must have some area and lie within the image" of a box with area, where points say "outside")
        (("segment", demo_dir, 1, "--box", "-5,-5,100,100"), "box (-5, -5, 100, 100) lies partly outside the 512x512"),
        (("segment", demo_dir, 1, "--box", "400,100,600,300"), "box (400, 100, 600, 300) lies partly outside the"),
        (("track", demo_dir, 2, "--frames", ""), "--frames '': expected A:B"),  # (it meant the whole video)
        # "expected one argument": argparse took a range starting with a minus sign for another option
        (("track", demo_dir, 2, "--frames", "-3:2"), "--frames '-3:2': frames are counted from 0 (the video has"),
        (("track", demo_dir, 2, "--frames", "5:-1"), "--frames '5:-1': frames are counted from 0"),
        # a model asked for by name, without its weights here, gave GrabCut's mask (exit 0)
        (("segment", demo_dir, 1, "--point", "100,100", "--model", "sam2.1_hiera_large"),
         "--model sam2.1_hiera_large: SAM 2 is off: SAM 2.1 large needs the checkpoint file sam2.1_hiera_large.pt"),
        # the last box was used, the others dropped without a word
        (("segment", demo_dir, 1, "--box", "10,10,100,100", "--box", "200,200,300,300"),
         "--box is given 2 times: an object takes one box"),
    ]
    for args, message in cases:
        err = run_main(capsys, *args, code=2).err
        assert message in err, (args, err)
        assert len(err.strip().splitlines()) == 1, err
    # The same through a real process: exit status and a single line on stderr, no traceback.
    for args, message in [(("segment", demo_dir, 9, "--point", "10,10"), "no media 9 in this project (it has 1, 2)"),
                          (("segment", demo_dir, 1, "--point", "600,10"),
                           "point 1 (600, 10) lies outside the 512x512 image")]:
        p = run_cli(*args, check=2)
        assert message in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert run_json("info", demo_dir)["annotations"] == 1  # only the demo's own box


def test_a_correction_names_only_a_track_of_that_video_and_an_empty_mask_is_not_stored(demo_dir, capsys):
    from annotation.model import Track
    from storage.project import Project

    made = main_json(capsys, "segment", demo_dir, 2, "--frame", "0", "--point", "320,230")  # GrabCut: track 1
    with Project.open(demo_dir) as p:
        elsewhere = p.tracks.add(Track(media_id=1)).id  # a track that belongs to the photo, not to the video
        before = (p.annotations.count(), len(p.tracks.for_media(2)), len(p.audit.entries()))
    cases = [
        # --label once slipped past the check and ended in a bare SQLite "FOREIGN KEY constraint failed"
        (("segment", demo_dir, 2, "--frame", "4", "--point", "320,230", "--track", "99", "--label", "face"),
         f"track 99 is not an object of media 2 (its tracks: {made['track_id']})"),
        (("segment", demo_dir, 2, "--frame", "4", "--point", "320,230", "--track", elsewhere),
         f"track {elsewhere} is not an object of media 2"),
        # GrabCut finds nothing in this box of flag and sky: an empty mask was once stored as an annotation
        (("segment", demo_dir, 1, "--box", "50,50,100,100"), "found no object at this prompt (an empty mask)"),
        # a correction's --label labelled that one mask, and the track's later masks took the track's label
        (("segment", demo_dir, 2, "--frame", "4", "--point", "320,230", "--track", made["track_id"], "--label",
          "face"), f"--label face: track {made['track_id']} has no label; a correction keeps its track's label"),
        # a frame outside the range was once a silent "0 frames, 0 masks" success
        (("track", demo_dir, 2, "--from-frame", "200", "--weights", "random"),
         "frame 200 to propagate from is outside the frames 0..149"),
        (("track", demo_dir, 2, "--frames", "0:3", "--from-frame", "4", "--weights", "random"),
         "frame 4 to propagate from is outside the frames 0..2"),
    ]
    for args, message in cases:
        err = run_main(capsys, *args, code=2).err
        assert message in err, (args, err)
        assert len(err.strip().splitlines()) == 1, err
    with Project.open(demo_dir) as p:
        after = (p.annotations.count(), len(p.tracks.for_media(2)), len(p.audit.entries()))
    assert after == before


def test_segment_on_a_video_without_frame_stores_the_object_on_its_first_frame(demo_dir, capsys):
    """--frame defaults to 0 on a video, as its help says: the mask and the object's prompt were stored on no
    frame at all (frame NULL), where no panel showed them and `track` found no prompt to start from."""
    from storage.project import Project

    made = main_json(capsys, "segment", demo_dir, 2, "--point", "320,230")  # GrabCut: no weights needed
    with Project.open(demo_dir) as p:
        assert sorted((a.kind, a.frame) for a in p.annotations.for_track(made["track_id"])) == [("mask", 0),
                                                                                               ("points", 0)]


def test_segment_and_track_refuse_a_media_file_changed_since_it_was_imported(demo_dir, capsys):
    """They read the file as it is now: masks on another video's frames, or, on a file cut short, an error at the
    first frame past its new end after minutes of tracking."""
    from tests.media_factory import truncate

    made = main_json(capsys, "segment", demo_dir, 2, "--frame", "0", "--point", "320,230")  # (GrabCut) a track
    truncate(demo_dir / "media" / "astronaut_head.mp4")
    for args in (("segment", demo_dir, 2, "--frame", "100", "--point", "320,230"),
                 ("track", demo_dir, 2, "--weights", "random")):
        err = run_main(capsys, *args, code=2).err
        assert "astronaut_head.mp4: the media file changed since it was imported (" in err, err
        assert "put the original back ('verify' checks it), or import the new file as new media" in err
    assert run_json("info", demo_dir)["annotations"] == 1 + 2  # the demo's box, the object's point and mask
    assert made["track_id"] is not None


def test_a_video_object_whose_mask_cannot_be_stored_leaves_no_empty_track(demo_dir, capsys):
    """On a full disk the track went in and its prompt and mask did not: an empty track stayed in the project.
    (SQLite refuses the annotation here as a full disk does, by a trigger.)"""
    import sqlite3

    with sqlite3.connect(demo_dir / "project.db") as db:
        db.execute("CREATE TRIGGER full BEFORE INSERT ON annotations BEGIN SELECT RAISE(ABORT, 'database or disk "
                   "is full'); END")
        tracks = db.execute("SELECT count(*) FROM tracks").fetchone()[0]
    err = run_main(capsys, "segment", demo_dir, 2, "--frame", "3", "--point", "320,230", code=2).err
    assert "database or disk is full" in err and len(err.strip().splitlines()) == 1
    with sqlite3.connect(demo_dir / "project.db") as db:
        assert db.execute("SELECT count(*) FROM tracks").fetchone()[0] == tracks
        db.execute("DROP TRIGGER full")


def test_ctrl_c_during_track_says_how_far_it_got(demo_dir):
    """It said "interrupted" and no more: a script could not tell which frames were kept."""
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from tests.cli import MAIN

    run_cli("segment", demo_dir, 2, "--frame", "0", "--point", "320,230", "--weights", "random", "--seed", "0")
    proc = subprocess.Popen([sys.executable, str(MAIN), "track", str(demo_dir), "2", "--frames", "0:40", "--weights",
                             "random", "--seed", "0"], stderr=subprocess.PIPE, text=True)

    def propagated() -> int:
        with sqlite3.connect(demo_dir / "project.db") as db:
            return db.execute("SELECT count(*) FROM annotations WHERE attributes LIKE '%propagated%'").fetchone()[0]

    deadline = time.monotonic() + 300
    while propagated() < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    stopped = next(line for line in err.splitlines() if line.startswith("facelens: tracking stopped after "))
    done = int(stopped.split("after ")[1].split(" ")[0])
    assert stopped.endswith("of 40; the masks of those frames are kept (`tracks list` counts them)")
    assert done >= 2 and propagated() == done - 1  # every frame said is in the project (frame 0: the accepted mask)
