"""Eye-event detection as a project operation: load a recording, detect, store the result with its params."""
from __future__ import annotations

from typing import TYPE_CHECKING

from annotation.gaze.events import EyeEvents
from engine.gaze.detect import detect_events
from engine.gaze.geometry import ViewingGeometry
from engine.gaze.importing import load_gaze
from engine.gaze.params import DetectionParams

if TYPE_CHECKING:
    from storage.project import Project


def detect_for_recording(project: "Project", recording_id: int, method: str = "idt",
                         display_width_mm: float | None = None, distance_mm: float | None = None,
                         **overrides) -> tuple[int, EyeEvents]:
    """Detect fixations, saccades and blinks on a stored recording; returns (event set id, events)."""
    info, samples = load_gaze(project, recording_id)
    params = DetectionParams()
    if display_width_mm is not None or distance_mm is not None:
        geometry = ViewingGeometry(int(info.params.get("width") or 0), display_width_mm or 0, distance_mm or 0)
        params = params.with_(px_per_degree=geometry.px_per_degree)
    params = params.with_(**overrides)
    events = detect_events(samples, method, params)
    events.params["recording"] = recording_id
    stored = project.eye_events.add(recording_id, events)
    return stored.id, events
