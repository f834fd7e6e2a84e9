"""How segmentation keeps its work in the project.

* A **prompt** on a video (the clicks and box given for one object on one frame) is stored as annotations of
  kind ``points`` and ``box`` on that frame, with the object's track id and ``attributes = {"role":
  "prompt"}``. ``track`` finds every object prompted in a video through them, in any later session.
* A **mask** is an annotation of kind ``mask`` (COCO RLE at the media's full resolution) with the track id on
  a video and ``attributes = {"role": "mask"}`` (plus ``"propagated": true`` when propagation made it).
* Propagation writes its masks in batched transactions (one audit entry each). A mask it makes replaces the
  older model-made mask of the same track on the same frame; a mask someone edited by hand (source
  ``manual``) is kept and the new one is not stored.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from annotation.model import Annotation, MediaItem
from annotation.shapes import Box, Mask, Points
from engine.segmentation.prompt import Prompt
from storage.annotation_repo import ANY_FRAME

PROMPT = "prompt"
MASK = "mask"
MANUAL = "manual"


def load_prompts(project, media_id: int) -> dict[tuple[int, int], Prompt]:
    """Every stored prompt of a video: (track id, frame) -> Prompt (box and points of that frame together)."""
    parts: dict[tuple[int, int], dict] = defaultdict(dict)
    for a in project.annotations.for_media(media_id, frame=ANY_FRAME):
        if a.attributes.get("role") == PROMPT and a.track_id is not None and a.frame is not None:
            parts[(a.track_id, a.frame)][a.kind] = a.shape
    out = {}
    for key, shapes in sorted(parts.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        pts: Points | None = shapes.get("points")
        box: Box | None = shapes.get("box")
        out[key] = Prompt(pts.points if pts else (), pts.labels if pts else (),
                          (box.x0, box.y0, box.x1, box.y1) if box else None)
    return out


def prompt_annotations(project, media_id: int, track_id: int, frame: int) -> list[Annotation]:
    return [a for a in project.annotations.for_media(media_id, frame=frame)
            if a.track_id == track_id and a.attributes.get("role") == PROMPT]


def mask_annotation(item: MediaItem, frame: int | None, mask: np.ndarray, score: float | None, source: str,
                    track_id: int | None = None, label_id: int | None = None, propagated: bool = False,
                    prompt: Prompt | None = None) -> Annotation:
    attributes = {"role": MASK}
    if propagated:
        attributes["propagated"] = True
    if prompt is not None and item.kind == "image":
        attributes["prompt"] = prompt.to_json()  # on a video the prompt is its own annotation
    return Annotation(media_id=item.id, frame=frame, shape=Mask.from_array(mask), track_id=track_id,
                      label_id=label_id, score=None if score is None else round(float(score), 6), source=source,
                      attributes=attributes)


def save_segment(project, item: MediaItem, frame: int | None, mask: np.ndarray, score: float | None, source: str,
                 prompt: Prompt, track_id: int | None, label_id: int | None) -> Annotation:
    """Store a click's mask (and, on a video, its prompt, replacing the track's earlier prompt and model mask
    on that frame) in one transaction. Returns the mask annotation as stored."""
    remove = []
    add = []
    if item.is_video:
        remove += [a.id for a in prompt_annotations(project, item.id, track_id, frame)]
        remove += [a.id for a in project.annotations.for_media(item.id, frame=frame)
                   if a.track_id == track_id and a.kind == "mask" and a.source != MANUAL]
        add += [Annotation(media_id=item.id, frame=frame, shape=s, track_id=track_id, label_id=label_id,
                           source=source, attributes={"role": PROMPT}) for s in prompt.shapes()]
    mask_ann = mask_annotation(item, frame, mask, score, source, track_id, label_id, prompt=prompt)
    ids = project.annotations.replace_many(remove, add + [mask_ann], action="segment")
    return project.annotations.get(ids[-1])


class MaskWriter:
    """Stores propagated masks in batches: replaces the tracks' older model masks, never a hand-edited one."""

    def __init__(self, project, item: MediaItem, source: str, labels: dict[int, int | None], batch: int = 32):
        self.project, self.item, self.source, self.labels, self.batch = project, item, source, labels, batch
        self._pending: list[tuple[int, int, np.ndarray, float | None]] = []
        self.written = 0
        self.frames_written: list[int] = []
        self._existing: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
        for track_id in labels:
            for a in project.annotations.for_track(track_id):
                if a.kind == "mask" and a.frame is not None:
                    self._existing[(track_id, a.frame)].append((a.id, a.source))

    def add(self, frame: int, track_id: int, mask: np.ndarray, score: float | None) -> None:
        self._pending.append((frame, track_id, mask, score))
        if len({f for f, *_ in self._pending}) >= self.batch:
            self.flush()

    def flush(self) -> int:
        pending, self._pending = self._pending, []
        if not pending:
            return 0
        remove, add = [], []
        for frame, track_id, mask, score in pending:
            old = self._existing.pop((track_id, frame), [])
            if any(src == MANUAL for _, src in old):
                continue  # someone corrected this mask by hand: keep theirs
            if not mask.any():
                remove += [i for i, _ in old]  # the object is gone from this frame now
                continue
            remove += [i for i, _ in old]
            add.append(mask_annotation(self.item, frame, mask, score, self.source, track_id,
                                       self.labels.get(track_id), propagated=True))
        self.written += len(self.project.annotations.replace_many(remove, add, action="propagate"))
        self.frames_written.extend(sorted({f for f, *_ in pending}))
        return len(add)
