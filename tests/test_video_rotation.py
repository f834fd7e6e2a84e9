"""A phone's portrait video: landscape frames with a display rotation, which players apply. FaceLens shows,
segments and exports it upright, as players show it (it read the frames sideways: a point taken from what a
player shows was "outside the image"); a video imported before it recorded rotations keeps its frames as they were.
"""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import Image
from pycocotools import mask as coco_mask

from storage import schema
from storage.db import sqlite_engine
from storage.media.library import open_video
from storage.project import Project
from tests.inprocess_cli import main_json, run_main

CODED_W, CODED_H = 160, 96  # the frames as the camera wrote them
SQUARE = (10, 40)  # a white square at x, y 10..40 of the coded frame: the top left


def coded_frame() -> np.ndarray:
    f = np.full((CODED_H, CODED_W, 3), 40, np.uint8)
    lo, hi = SQUARE
    f[lo:hi, lo:hi] = 255
    return f


def phone_video(path: Path, rotation: int = -90, frames: int = 4) -> Path:
    """Coded landscape, shown portrait: ``set_display_rotation(-90)`` is a phone's "rotate 90° clockwise"."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = CODED_W, CODED_H, "yuv420p"
        stream.set_display_rotation(rotation)
        for _ in range(frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(coded_frame(), format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def white(rgb: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> bool:
    return rgb[y0 + 4:y1 - 4, x0 + 4:x1 - 4].mean() > 200


def test_a_rotated_video_is_shown_segmented_and_exported_upright(capsys, tmp_path):
    root = tmp_path / "p"
    run_main(capsys, "new", root)
    main_json(capsys, "import", root, phone_video(tmp_path / "portrait.mp4"))
    media = main_json(capsys, "info", root)["media"][0]
    # Turned 90° clockwise: 96 wide, 160 tall, and the coded top-left square at the top right.
    assert (media["width"], media["height"], media["rotation"]) == (CODED_H, CODED_W, 90)
    lo, hi = SQUARE
    shown = (CODED_H - hi, lo, CODED_H - lo, hi)  # x0, y0, x1, y1 where a player shows the square
    with Project.open(root) as p:
        item = p.media.get(1)
        with open_video(p, item) as reader:
            rgb = reader.read(2)
    assert rgb.shape == (CODED_W, CODED_H, 3) and white(rgb, *shown) and not white(rgb, lo, lo, hi, hi)

    # A box drawn where a player shows the square gives a mask there, at the upright size.
    box = ",".join(str(v) for v in (shown[0] - 6, shown[1] - 6, shown[2] + 6, shown[3] + 6))
    result = main_json(capsys, "segment", root, 1, "--frame", 2, "--box", box)
    mask = coco_mask.decode({"size": result["rle"]["size"], "counts": result["rle"]["counts"].encode()})
    assert mask.shape == (CODED_W, CODED_H)
    ys, xs = np.nonzero(mask)
    assert shown[0] - 2 <= xs.mean() <= shown[2] + 2 and shown[1] - 2 <= ys.mean() <= shown[3] + 2

    # The COCO export's frame is the upright picture its mask and size describe.
    out = tmp_path / "coco.json"
    run_main(capsys, "export", root, "--format", "coco", "--out", out)
    frame = np.asarray(Image.open(next((tmp_path / "coco_frames").rglob("*.jpg"))).convert("RGB"))
    assert frame.shape == (CODED_W, CODED_H, 3) and white(frame, *shown)


def test_info_says_how_a_video_is_shown_turned(capsys, tmp_path):
    root = tmp_path / "p"
    run_main(capsys, "new", root)
    for rotation in (-90, 180, 90):  # display matrices: shown 90° clockwise, upside down, 90° counter-clockwise
        main_json(capsys, "import", root, phone_video(tmp_path / f"turned{rotation}.mp4", rotation, frames=1))
    lines = run_main(capsys, "info", root).out.splitlines()[1:]
    assert [line.split(" frames")[1].split(")")[0] + ")" for line in lines] == [
        " (shown turned 90° clockwise, as players show it)", " (shown turned 180°, as players show it)",
        " (shown turned 90° counter-clockwise, as players show it)"]


def test_a_rotated_video_imported_before_rotations_were_recorded_keeps_its_frames(capsys, tmp_path):
    """Its annotations were made on the frames as coded: turning them now would put every mask out of place."""
    root = tmp_path / "old"
    (root / "media").mkdir(parents=True)
    video = phone_video(root / "media" / "portrait.mp4")
    engine = sqlite_engine(str(root / "project.db"))
    schema.upgrade(engine, "0005")
    with engine.begin() as conn:  # the record FaceLens wrote at schema 0005: the coded size, no rotation
        conn.exec_driver_sql("INSERT INTO media (kind, path, sha256, size_bytes, width, height, fps, frame_count, "
                             "duration, codec, imported_at) VALUES ('video', 'media/portrait.mp4', ?, ?, ?, ?, 25, 4, "
                             "0.16, 'h264', 0)", ("f" * 64, video.stat().st_size, CODED_W, CODED_H))
    engine.dispose()
    with Project.open(root) as p:
        item = p.media.get(1)
        assert (item.width, item.height, item.rotation) == (CODED_W, CODED_H, 0)
        with open_video(p, item) as reader:
            rgb = reader.read(0)
    lo, hi = SQUARE
    assert rgb.shape == (CODED_H, CODED_W, 3) and white(rgb, lo, lo, hi, hi)


def test_the_window_shows_a_rotated_video_upright(qtbot, capsys, tmp_path):
    from tests.test_gui_support import close_window, make_window, wait_picture

    root = tmp_path / "p"
    run_main(capsys, "new", root)
    main_json(capsys, "import", root, phone_video(tmp_path / "portrait.mp4"))
    window = make_window(qtbot, root)
    window.set_media(1, 3)
    wait_picture(qtbot, window, 3)
    lo, hi = SQUARE
    rgb = window.canvas.image
    assert rgb.shape[:2] == (CODED_W, CODED_H) and white(rgb, CODED_H - hi, lo, CODED_H - lo, hi)
    close_window(window)
