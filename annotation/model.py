"""The domain records every layer passes around: media items, labels, annotations, tracks and time segments.

They are plain dataclasses, so the window, the CLI and the engine share them without a database session.
``id`` is None until the project has stored the record.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from annotation.errors import InputError
from annotation.shapes import Shape

MEDIA_KINDS = ("image", "video")
# attributes["role"] of what a segmenter stores: the clicks and box that asked for a mask (kept so a video's
# objects can be propagated again), and the mask itself. Prompts are not labels: exports leave them out.
ROLE_PROMPT = "prompt"
ROLE_MASK = "mask"


@dataclass(frozen=True)
class MediaItem:
    id: int
    kind: str  # image | video
    path: str  # relative to the project folder where possible, else absolute (POSIX separators)
    sha256: str
    size_bytes: int
    width: int
    height: int
    fps: float | None = None
    frame_count: int | None = None
    duration: float | None = None
    codec: str | None = None
    # Degrees clockwise a video's decoded frames are turned to be shown upright (its display rotation, as a phone
    # records it); width and height are the upright picture's. 0 for photos (EXIF is applied when read).
    rotation: int = 0

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def is_video(self) -> bool:
        return self.kind == "video"


@dataclass(frozen=True)
class Label:
    id: int
    taxonomy: str
    name: str
    color: str  # "#rrggbb"
    key: str = ""  # keyboard shortcut, e.g. "1"


@dataclass(frozen=True)
class Annotation:
    media_id: int
    shape: Shape
    frame: int | None = None  # None for an image or for the whole video
    label_id: int | None = None
    track_id: int | None = None
    attributes: dict = field(default_factory=dict)
    score: float | None = None
    source: str = "manual"  # "manual" or the name of the model that made it
    annotator: str = ""
    id: int | None = None
    created_at: float | None = None
    updated_at: float | None = None

    @property
    def kind(self) -> str:
        return self.shape.kind

    def with_(self, **changes) -> "Annotation":
        return replace(self, **changes)


@dataclass(frozen=True)
class Track:
    """One object's identity across the frames of a video."""

    media_id: int
    label_id: int | None = None
    name: str = ""
    id: int | None = None


@dataclass(frozen=True)
class TimeSegment:
    """A labelled stretch of a video's time on one tier (for example the ER or FER tier of one annotator)."""

    media_id: int
    tier: str
    start: float  # seconds of video time
    end: float
    annotator: str = ""
    values: dict = field(default_factory=dict)
    id: int | None = None

    def __post_init__(self):
        if not self.end >= self.start:
            raise InputError(f"a segment must not end ({self.end}) before it starts ({self.start})", field="end")

    @property
    def duration(self) -> float:
        return self.end - self.start

    def with_(self, **changes) -> "TimeSegment":
        return replace(self, **changes)
