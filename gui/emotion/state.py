"""What the Emotion panels share for the video on screen: its ER/FER segments, the chosen gaze recording
(samples and eye events), the eye measures from the face, and the annotator's rating.

Series are read on a worker thread (``gui.background``); ``changed`` fires when they arrive, so panels and
overlays redraw from memory and the GUI thread never waits on the disk while the video plays.
"""
from __future__ import annotations

import weakref

import numpy as np
from PySide6.QtCore import QObject, Signal

from annotation.emotion.rating import RatingTrace
from annotation.emotion.tracks import TRACKS
from annotation.gaze.recording import GazeSamples
from gui.background import run_in_thread

_STATES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def emotion_state(window) -> "EmotionState":
    """The one state object of a window (made on first use)."""
    if window not in _STATES:
        _STATES[window] = EmotionState(window)
    return _STATES[window]


class EmotionState(QObject):
    changed = Signal()  # series of the media on screen (re)loaded
    segmentsChanged = Signal()
    viewChanged = Signal()  # the stretch of time the tiers and the plots show (zoomed in the plots)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.recording_id: int | None = None  # the chosen gaze recording (None: the latest of the video)
        self.recordings: list = []
        self.samples: GazeSamples | None = None
        self.events = None  # EyeEvents of the latest detection (or the tracker's)
        self.velocity = None
        self.face: dict[str, np.ndarray] | None = None  # face-mesh channels
        self.face_blinks: list = []
        self.rating: RatingTrace | None = None
        self._segments = None
        self._generation = 0
        self.view: tuple[float, float] | None = None  # None: the whole clip
        window.mediaChanged.connect(lambda *_: self.set_view(None))
        window.mediaChanged.connect(lambda *_: self.reload())
        window.frameChanged.connect(self._keep_in_view)
        window.projectChanged.connect(lambda *_: self.reload())
        window.annotationsChanged.connect(self._segments_changed)
        # a gaze import or a rating made by another program (segments come with the annotations)
        window.outside_changes.changed.connect(lambda reloads, _entries: "emotion" in reloads and self.reload())

    # --- time --------------------------------------------------------------------------------------------------
    @property
    def media(self):
        m = self.window.current_media
        return m if m is not None and m.is_video else None

    @property
    def fps(self) -> float:
        return float(self.window.playback.fps or (self.media.fps if self.media else 25.0) or 25.0)

    @property
    def duration(self) -> float:
        m = self.media
        return float(m.duration or 0.0) if m else 0.0

    @property
    def frame_count(self) -> int:
        return int(self.window.playback.frame_count or (self.media.frame_count if self.media else 0) or 0)

    def time_of(self, frame: int | None) -> float:
        return self.window.playback.time_of(frame or 0) if self.media else 0.0

    def frame_at(self, t: float) -> int:
        return int(min(max(np.floor(t * self.fps + 1e-6), 0), max(self.frame_count - 1, 0)))

    @property
    def now(self) -> float:
        return self.time_of(self.window.current_frame)

    # --- the stretch of time shown -------------------------------------------------------------------------
    def visible(self) -> tuple[float, float]:
        """The stretch of the video's time the tiers and the plots show, in seconds."""
        return self.view if self.view is not None else (0.0, self.duration)

    def set_view(self, view: tuple[float, float] | None) -> None:
        """Show ``view`` = (start, end) seconds in the tiers and the plots alike (None: the whole clip)."""
        if view is not None:
            t0, t1 = max(0.0, float(view[0])), min(self.duration, float(view[1]))
            whole = t0 <= 1e-9 and t1 >= self.duration - 1e-9
            view = None if t1 - t0 <= 1e-6 or whole else (t0, t1)
        if view != self.view:
            self.view = view
            self.viewChanged.emit()

    def _keep_in_view(self, frame: int) -> None:
        """Playing past the edge of a zoomed view turns the page, so the cursor stays in sight."""
        if self.view is None or self.media is None:
            return
        t0, t1 = self.view
        now, width = self.time_of(frame), t1 - t0
        if not t0 <= now <= t1:
            start = min(max(now - 0.1 * width, 0.0), max(self.duration - width, 0.0))
            self.set_view((start, start + width))

    @property
    def annotator(self) -> str:
        return self.window.project.actor if self.window.project else ""

    # --- segments ------------------------------------------------------------------------------------------
    def segments(self) -> list:
        """The emotion segments of the media on screen (read once per change)."""
        if self._segments is None:
            p, m = self.window.project, self.window.current_media
            self._segments = [s for s in p.segments.for_media(m.id) if s.tier in TRACKS] if p and m else []
        return self._segments

    def _segments_changed(self) -> None:
        self._segments = None
        self.segmentsChanged.emit()

    # --- series --------------------------------------------------------------------------------------------
    def choose_recording(self, recording_id: int | None) -> None:
        self.recording_id = recording_id
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        self._segments = None
        project, media = self.window.project, self.media
        self.segmentsChanged.emit()
        if project is None or media is None:
            self._apply(generation, {}, None)
            return
        wanted, annotator = self.recording_id, self.annotator
        run_in_thread(lambda: _load(project, media, wanted, annotator),
                      lambda value, error: self._apply(generation, value or {}, error))

    def _apply(self, generation: int, data: dict, error) -> None:
        if generation != self._generation:
            return  # the user moved on
        if error is not None:
            self.window.report_error(f"Could not read the eye data: {error}", getattr(error, "details", ""))
        self.recordings = data.get("recordings", [])
        self.samples = data.get("samples")
        self.events = data.get("events")
        self.velocity = data.get("velocity")  # engine.gaze.signal.Prepared: t and velocity of usable samples
        self.face = data.get("face")
        self.face_blinks = data.get("face_blinks", [])
        self.rating = data.get("rating")
        self.changed.emit()


def _load(project, media, recording_id, annotator) -> dict:
    """Runs on a worker thread."""
    from engine.emotion.importing import load_rating
    from engine.gaze.signal import prepare

    out: dict = {"recordings": project.series.for_media(media.id, "gaze")}
    chosen = [r for r in out["recordings"] if r.id == recording_id] or out["recordings"][-1:]
    if chosen:
        info = chosen[0]
        samples = GazeSamples.from_array(project.series.load(info.id), info.channels)
        out["samples"] = samples
        sets = project.eye_events.sets(info.id)
        best = ([s for s in sets if s.method != "tracker"] or sets)[-1:]
        out["events"] = project.eye_events.load(best[0].id) if best else None
        params = out["events"].params if out["events"] is not None else {}
        out["velocity"] = prepare(samples, params.get("min_confidence", 0.0), params.get("max_gap_s", 0.075),
                                  params.get("velocity_window_s", 0.02))
    faces = project.series.for_media(media.id, "face_eyes")
    if faces:
        out["face"] = project.series.columns(faces[-1].id)
        blinks = project.eye_events.latest(faces[-1].id, "face")
        out["face_blinks"] = blinks.blinks if blinks else []
    out["rating"] = load_rating(project, media, annotator)
    return out
