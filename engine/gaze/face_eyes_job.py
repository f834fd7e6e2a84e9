"""The face-mesh job: measure the eyes on every frame of a video, find the blinks, store both.

A batch job for the engine (it yields after every frame, so a click in the window goes first, and it can be
cancelled); nothing is stored unless every frame was measured.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from annotation.errors import InputError
from annotation.gaze.events import EyeEvents
from engine.gaze.face_blinks import BlinkParams, detect_blinks
from engine.gaze.face_eyes import FACE_EYE_CHANNELS, FaceMeshEyes

if TYPE_CHECKING:
    from storage.project import Project

SOURCE = "mediapipe face mesh (refine_landmarks=True)"


def measure_eyes_job(project: "Project", media_id: int, blink_params: BlinkParams = BlinkParams()):
    """A job function for ``Engine.submit``; its result is the summary ``eyes_summary`` gives."""
    from storage.media.library import open_video

    media = project.media.get(media_id)
    if media is None:
        raise InputError(f"no media {media_id} in the project", field="media")
    if not media.is_video:
        raise InputError(f"media {media_id} is an image; the face-mesh job measures videos", field="media")

    def job(ctx):
        rows = []
        with open_video(project, media) as reader, FaceMeshEyes() as mesh:
            total = reader.frame_count
            for n, frame in reader.frames():
                rows.append([reader.index.time_of(n)] + mesh.measure(reader.rgb(frame)))
                ctx.progress(n + 1, total, "measuring the eyes")
                yield
        data = np.array(rows, np.float64)
        blinks, baseline = detect_blinks(data[:, 0], data[:, 2], media.fps, blink_params)
        events = EyeEvents(blinks=blinks, method="face", params={"source": SOURCE, **blink_params.to_dict(),
                                                                  "baseline_median": float(np.nanmedian(baseline))})
        info = project.series.add(media_id, "face_eyes", FACE_EYE_CHANNELS, data, name="eyes (face mesh)",
                                  source=SOURCE, params={"fps": media.fps, "frames": len(data)},
                                  event_sets=[events], action="measure eyes")
        return eyes_summary(info.id, data, events, media.fps)

    return job


def eyes_summary(series_id: int, data: np.ndarray, events: EyeEvents, fps: float) -> dict:
    face = data[:, 1] > 0
    seconds_with_face = float(face.sum()) / fps
    durations = [b.duration for b in events.blinks]
    return {"series_id": series_id, "frames": int(len(data)), "face_frames": int(face.sum()),
            "blinks": [{"start": round(b.start, 4), "end": round(b.end, 4), "duration": round(b.duration, 4)}
                       for b in events.blinks],
            "blink_rate_per_min": round(len(durations) / seconds_with_face * 60, 3) if seconds_with_face else None,
            "mean_blink_duration": round(float(np.mean(durations)), 4) if durations else None,
            "openness_median": float(np.nanmedian(data[face, 2])) if face.any() else None,
            "iris_h_median": {side: float(np.nanmedian(data[face, FACE_EYE_CHANNELS.index(f"iris_h_{side}")]))
                              for side in ("left", "right")} if face.any() else None}
