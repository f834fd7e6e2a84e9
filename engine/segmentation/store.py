"""How segmentation keeps its work in the project.

* A **prompt** on a video (the clicks and box given for one object on one frame) is stored as annotations of
  kind ``points`` and ``box`` on that frame, with the object's track id and ``attributes = {"role":
  "prompt"}``. ``track`` finds every object prompted in a video through them, in any later session.
* A **mask** is an annotation of kind ``mask`` (COCO RLE at the media's full resolution) with the track id on
  a video and ``attributes = {"role": "mask"}`` (plus ``"propagated": true`` when propagation made it).
* Propagation writes its masks in batched transactions (one audit entry each). A mask it makes replaces the
  older model-made mask of the same track on the same frame; a mask someone edited by hand (source
  ``manual``) is kept and the new one is not stored, and so is the mask the user accepted with a prompt on
  that frame (SAM 2 gives that frame the prompt's own output again: storing it only changed the mask's id).
  A hand edit of a model's mask makes it ``manual`` (``edited_by_hand``), also one made while a propagation
  runs: the writer checks as it commits.
"""
from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from annotation.model import ROLE_MASK, ROLE_PROMPT, Annotation, MediaItem
from annotation.rle_process import ENCODER
from annotation.shapes import Box, Mask, Points
from engine.segmentation.prompt import Prompt
from storage.annotation_repo import ANY_FRAME

PROMPT = ROLE_PROMPT
MASK = ROLE_MASK
MANUAL = "manual"
_WAITED = object()  # the mask writer's queue stayed empty for its longest wait


def load_prompts(project, media_id: int) -> dict[tuple[int, int], Prompt]:
    """Every stored prompt of a video: (track id, frame) -> Prompt (box and points of that frame together)."""
    parts: dict[tuple[int, int], dict] = defaultdict(dict)
    for a in project.annotations.for_media(media_id, frame=ANY_FRAME, kinds=("points", "box")):  # not the masks
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


def mask_annotation(item: MediaItem, frame: int | None, mask: np.ndarray | Mask, score: float | None, source: str,
                    track_id: int | None = None, label_id: int | None = None, propagated: bool = False,
                    prompt: Prompt | None = None) -> Annotation:
    """``mask``: the model's boolean array, or its COCO RLE already encoded."""
    attributes = {"role": MASK}
    if propagated:
        attributes["propagated"] = True
    if prompt is not None and item.kind == "image":
        attributes["prompt"] = prompt.to_json()  # on a video the prompt is its own annotation
    shape = mask if isinstance(mask, Mask) else Mask.from_array(mask)
    return Annotation(media_id=item.id, frame=frame, shape=shape, track_id=track_id,
                      label_id=label_id, score=None if score is None else round(float(score), 6), source=source,
                      attributes=attributes)


def edited_by_hand(a: Annotation, shape) -> Annotation:
    """``a`` with the shape a hand edit (brush, eraser) gave it. A model's mask becomes the user's: source
    ``manual``, no model score, no longer "propagated" nor the image prompt's output, so the next propagation
    keeps it instead of writing the model's mask over it. Its track and role stay."""
    if a.source == MANUAL:
        return a.with_(shape=shape)
    attributes = {k: v for k, v in a.attributes.items() if k not in ("propagated", "prompt")}
    return a.with_(shape=shape, source=MANUAL, score=None, attributes=attributes)


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
    """Stores propagated masks in batches, on its own thread, while the engine thread tracks the next frame.
    Replaces the tracks' older model masks, never a hand-edited one. A propagation runs it in a helper process
    (``engine.segmentation.writer_process``), where it takes nothing from the engine's Python lock; in the
    engine's process only where no helper can start.

    Each frame's masks are encoded (COCO RLE) as soon as they arrive, in a helper process where there is one
    (``annotation.rle_process``), and committed in batches. Encoding holds Python's lock, which the engine
    thread needs between every two GPU kernels it launches: in this thread, a whole batch at commit time left
    the GPU idle for a long burst, and even mask by mask the lock went back and forth dozens of times a mask.

    A batch is committed when it holds ``batch`` frames, when the writer has caught up and it holds a quarter
    of that, or when its oldest frame has waited ``max_wait`` seconds: on a slow device (a CPU tracks a frame
    every few seconds) each frame is in the project a second after it is tracked, not a minute later.

    ``add`` hands over a frame's masks (waiting only if ``depth`` frames are still unwritten); ``flush``
    returns once everything handed over is committed, and re-raises an error the writer met.
    """

    def __init__(self, project, item: MediaItem, source: str, labels: dict[int, int | None], batch: int = 16,
                 depth: int = 64, max_wait: float = 1.0, prompted: Iterable[tuple[int, int]] = ()):
        self.project, self.item, self.source, self.labels, self.batch = project, item, source, labels, batch
        self.prompted = set(prompted)  # (track id, frame) of the prompts: their accepted masks stay
        self.max_wait = max_wait
        self.written = 0
        self.kept = 0  # masks corrected by hand that the model's were not stored over
        self.unchanged = 0  # masks the model gave again as they were stored: left as they are, ids and all
        self.removed = 0  # older masks of frames where the object is not found now: gone, nothing in their place
        self.gone_tracks: set[int] = set()  # tracks deleted while they were tracked (by another program): not stored
        self._stored_by_track: dict[int, int] = defaultdict(int)
        self.frames_written: list[int] = []
        self._existing: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
        for track_id in labels:
            for annotation_id, frame, source in project.annotations.track_frames(track_id, "mask"):
                if frame is not None:
                    self._existing[(track_id, frame)].append((annotation_id, source))
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="facelens-mask-writer", daemon=True)
        self._thread.start()

    def add(self, frame: int, masks: dict[int, tuple[np.ndarray, float | None]]) -> None:
        """One frame's masks: {track id: (mask, score)}."""
        self._raise()
        self._queue.put((frame, masks))

    def flush(self) -> int:
        """Write everything handed over and stop the writer; returns how many masks went in overall."""
        self._queue.put(None)
        self._thread.join()
        self._raise()
        return self.written

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        frames: list[int] = []
        items: list[tuple[list[int], Annotation | None]] = []  # (older masks' ids, the mask replacing them)
        since = 0.0  # when the oldest frame not yet committed arrived
        ended = False  # flush()'s end marker came: nothing more will be put on the queue
        try:
            while True:
                wait = max(0.0, since + self.max_wait - time.monotonic()) if frames else None
                try:
                    item = self._queue.get(timeout=wait)
                except queue.Empty:  # nothing came for max_wait: commit what is there
                    item = _WAITED
                ended = item is None
                if item is not None and item is not _WAITED:
                    frame, masks = item
                    self._encode(frame, masks, items)
                    if not frames:
                        since = time.monotonic()
                    frames.append(frame)
                if frames and (item is None or item is _WAITED or len(frames) >= self.batch
                               or self._queue.empty() and len(frames) >= self.batch // 4):
                    # The sources are checked again as the batch commits: a mask edited by hand since
                    # ``_existing`` was read (the user ahead of the propagation) is kept, not replaced.
                    done = self.project.annotations.supersede_many(items, MANUAL, action="propagate")
                    self.written += done.stored
                    self.kept += done.kept
                    self.unchanged += done.unchanged
                    self.removed += done.removed
                    for track_id, n in done.stored_by_track.items():
                        self._stored_by_track[track_id] += n
                    for track_id in done.gone_tracks - self.gone_tracks:  # its masks stored so far went with it
                        self.written -= self._stored_by_track.pop(track_id, 0)
                    self.gone_tracks |= done.gone_tracks
                    self.frames_written.extend(frames)
                    frames, items = [], []
                if item is None:
                    return
        except BaseException as e:  # handed to the engine thread at its next add() or flush()
            self._error = e
            # Drain, so add() never blocks on a dead writer, up to flush()'s end marker: unless the failed commit
            # was the last one, which that marker asked for (waiting for another one hung flush() for ever).
            while not ended and self._queue.get() is not None:
                pass

    def _encode(self, frame: int, masks: dict, items: list) -> None:
        for track_id, (mask, score) in masks.items():
            if track_id in self.gone_tracks:
                continue
            old = self._existing.pop((track_id, frame), [])
            if any(src == MANUAL for _, src in old):
                self.kept += 1
                continue  # someone corrected this mask by hand: keep theirs
            if old and (track_id, frame) in self.prompted:
                self.unchanged += 1  # the mask accepted with this frame's prompt, which SAM 2 gives back
                continue
            # An empty mask: the object is gone from this frame now, its older masks go and none comes.
            new = None
            if mask.any():
                shape = Mask(size=(int(mask.shape[0]), int(mask.shape[1])), counts=ENCODER.encode(mask))
                new = mask_annotation(self.item, frame, shape, score, self.source, track_id, self.labels.get(track_id),
                                      propagated=True)
            if old or new is not None:
                items.append(([i for i, _ in old], new))
