"""The face a result is about, as a reviewer wants to see it: the frame, and the crop around the face.

An in-app run stored each face's box; for imported scores the face is found again with mediapipe (the
``face``-th from the left, as the runner numbers them). When that face is not found - no face at all, or fewer
faces than its index needs - the whole frame stands in and ``note`` says so: another face is never shown in its
place."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from storage.media.library import open_video, read_image

if TYPE_CHECKING:
    from storage.project import Project


@dataclass
class FaceView:
    result_id: int
    frame: np.ndarray  # RGB of the image or video frame
    box: tuple[int, int, int, int] | None  # the face crop in the frame; None when no face was found
    crop: np.ndarray  # RGB of the face (or the whole frame)
    found_again: bool  # the box was detected now, not stored with the result
    note: str = ""  # why the whole frame stands in for the face, when it does


def read_frame(project: "Project", media_id: int, frame: int | None) -> np.ndarray:
    item = project.media.get(media_id)
    if not item.is_video:
        return read_image(project, item)
    with open_video(project, item, threads=False) as reader:
        return reader.read(frame or 0)


def _find_again(rgb: np.ndarray, face: int | None, margin: float) -> tuple[tuple | None, str]:
    """The box of the ``face``-th face from the left (the first when the result names none), or None and why."""
    from engine.audit.runner.faces import FaceFinder

    finder = FaceFinder(margin)
    try:
        faces = finder.find(rgb)
    finally:
        finder.close()
    if (face or 0) < len(faces):
        return faces[face or 0].box, ""
    count = {0: "no face", 1: "1 face"}.get(len(faces), f"{len(faces)} faces")
    which = "the face" if face is None else f"face {face}"
    return None, f"{which} was not found (mediapipe finds {count} here): the whole frame is shown"


def face_view(project: "Project", result_id: int, margin: float = 0.25) -> FaceView:
    r = project.detectors.result(result_id)
    rgb = read_frame(project, r["media_id"], r["frame"])
    box, again, note = r["box"], False, ""
    if box is None:
        box, note = _find_again(rgb, r["face"], margin)
        again = box is not None
    if box is None:
        return FaceView(result_id, rgb, None, rgb, False, note)
    x0, y0, x1, y1 = (int(v) for v in box)
    return FaceView(result_id, rgb, (x0, y0, x1, y1), np.ascontiguousarray(rgb[y0:y1, x0:x1]), again)
