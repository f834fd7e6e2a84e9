"""Segmentation for an open project, as engine jobs: what the SAM tool in the window and the CLI call.

Each operation comes as a job function (``click_job`` ...; the window submits them through its engine bridge)
and as a method that submits it to ``engine`` (``click`` ...; the CLI and tests).

* ``click`` (interactive priority): a mask for a prompt, not stored yet: the live preview. On a video with
  SAM 2 the prompt goes into the video's tracking session, so what the user sees on that frame is what
  propagation starts from. A new object gets a provisional id (below zero) until it is accepted.
* ``accept``: store the mask (and on a video the prompt, under a new or given track).
* ``segment``: click and accept in one job (the CLI's ``segment``).
* ``propagate`` (batch priority, yields between frames): track every prompted object of a video over a
  range of frames, storing masks in batches as they come and reporting them to ``on_masks`` (the window
  draws them); a cancel stops within a frame and keeps every frame done.
* ``prefetch`` (batch priority): compute the next image's or frame's embedding ahead of the user.

Every model call happens on the engine thread; video sessions live there too.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from annotation.errors import FaceLensError, InputError
from annotation.model import Annotation, MediaItem, Track
from annotation.words import counted
from engine.models.cache import MODEL_CACHE
from engine.segmentation.compiled import WARMING, compile_refusal
from engine.segmentation.prompt import Prompt, SegmentResult
from engine.segmentation.segmenters import ActiveSegmenter, choose_segmenter
from engine.segmentation.store import load_prompts, save_segment
from engine.segmentation.video_session import VideoSession, reached_backward
from engine.segmentation.writer_process import WRITERS
from engine.worker import Engine, JobHandle, Priority
from storage.media.library import open_video, read_image
from storage.video_locks import check_free, rewriting_masks

MaskListener = Callable[[int, dict[int, np.ndarray]], None]  # (frame, {track id: mask}) on the engine thread


@dataclass
class Segmented:
    annotation: Annotation
    track_id: int | None
    result: SegmentResult


@dataclass
class Propagated:
    frames: dict[int, list[int]] = field(default_factory=dict)  # frame -> track ids with a mask there
    tracks: list[int] = field(default_factory=list)  # every object tracked (found on a frame or not)
    annotations: int = 0
    kept: int = 0  # masks corrected by hand, kept instead of the model's
    unchanged: int = 0  # masks the model gave again as they were stored (left as they are)
    deleted_meanwhile: list[int] = field(default_factory=list)  # tracks deleted while tracked: masks not stored
    removed: int = 0  # older masks removed: the object is not found on their frames now

    def remarks(self) -> str:
        """What was not stored and why, for the end of a message ("; 2 masks corrected by hand kept")."""
        out = f"; {counted(self.kept, 'mask')} corrected by hand kept" if self.kept else ""
        out += f"; {self.unchanged} unchanged" if self.unchanged else ""
        # (they went without a word: "0 masks stored; 1 unchanged" where three older masks had been deleted)
        out += (f"; {counted(self.removed, 'older mask')} removed, the object not found on "
                f"{'its frame' if self.removed == 1 else 'their frames'} now" if self.removed else "")
        if self.deleted_meanwhile:
            one = len(self.deleted_meanwhile) == 1
            out += (f"; {'track' if one else 'tracks'} {', '.join(map(str, self.deleted_meanwhile))} deleted during "
                    f"the propagation (by another program): {'its' if one else 'their'} masks not stored")
        return out


class Segmentation:
    def __init__(self, engine: Engine | None, project, active: ActiveSegmenter | None = None,
                 offload_state: bool = False, keep_sessions: int = 1, compile_propagation: bool = False):
        self.engine, self.project = engine, project
        self.active = active or choose_segmenter()
        self.offload_state = offload_state
        # Track with SAM 2's compiled predictor (CUDA only; slow the first time, see compiled.py). Clicks never do.
        self.compile_propagation = compile_propagation
        self.keep_sessions = keep_sessions
        self._sessions: OrderedDict[int, VideoSession] = OrderedDict()  # media id -> session (engine thread)
        self._busy: set[int] = set()  # videos being propagated
        self._stale: set[int] = set()  # their sessions, to close once their propagation ends (see release_sessions)
        self._provisional = itertools.count(-1, -1)
        MODEL_CACHE.on_pressure(self.release_sessions)

    # --- what is active ------------------------------------------------------------------------------------
    def status(self) -> dict:
        return self.active.status()

    def use_job(self, active: ActiveSegmenter):
        """Switch segmenter (a model or weights chosen in the Models menu); open sessions are closed."""
        def job(ctx):
            self.release_sessions()
            self.active = active
            return active.status()
        return job

    # --- clicks ----------------------------------------------------------------------------------------------
    def click_job(self, item: MediaItem, frame: int | None, prompt: Prompt, track_id: int | None = None,
                  replace: bool = False):
        """The mask for ``prompt``, not stored (a ``Clicked``). On a video, ``track_id`` is the object (None: a
        new one, which gets a provisional id; pass the result's ``track_id`` with the next click on it);
        ``replace``: ``prompt`` is all of the object's prompt on that frame (the window sends it whole),
        otherwise it is added to what the object has there."""
        return lambda ctx: self._click(item, frame, prompt, track_id, replace)

    def accept_job(self, item: MediaItem, frame: int | None, clicked: "Clicked", label_id: int | None = None):
        """Store a preview (a ``Segmented``): the mask, and on a video the prompt under a new or given track."""
        return lambda ctx: self._accept(item, frame, clicked, label_id)

    def segment_job(self, item: MediaItem, frame: int | None, prompt: Prompt, track_id: int | None = None,
                    label_id: int | None = None):
        """Click and accept in one job: the CLI's ``segment``. No frame on a video is its first (as the click reads
        it, so the mask is stored on the frame it was computed on, not on none)."""
        def job(ctx):
            at = _check_frame(item, frame)
            if item.is_video:  # (it was refused after the model had loaded and worked, half a minute on a CPU)
                check_free(self.project, item, "add or correct an object on it")
            return self._accept(item, at, self._click(item, at, prompt, track_id), label_id)
        return job

    def discard_job(self, item: MediaItem, clicked: "Clicked | None"):
        """Forget a preview: a provisional object leaves the video session (a stored one is synced back)."""
        def job(ctx):
            session = self._sessions.get(item.id)
            if session is not None and clicked is not None and clicked.track_id is not None:
                if clicked.track_id < 0:
                    session.remove_track(clicked.track_id)
                else:
                    self._sync(session, item)  # back to what the project holds
        return job

    def adopt_job(self, item: MediaItem, provisional: int, track_id: int):
        """The window stored a new object itself (undoably): its provisional id becomes the track id."""
        def job(ctx):
            session = self._sessions.get(item.id)
            if session is not None:
                session.rename_track(provisional, track_id)
        return job

    def click(self, *args, **kw) -> JobHandle:
        return self.engine.submit(self.click_job(*args, **kw), "segment click", Priority.INTERACTIVE)

    def accept(self, *args, **kw) -> JobHandle:
        return self.engine.submit(self.accept_job(*args, **kw), "accept mask", Priority.INTERACTIVE)

    def segment(self, *args, **kw) -> JobHandle:
        return self.engine.submit(self.segment_job(*args, **kw), "segment", Priority.INTERACTIVE)

    def _click(self, item: MediaItem, frame: int | None, prompt: Prompt, track_id: int | None,
               replace: bool = False) -> "Clicked":
        frame = _check_frame(item, frame)
        prompt.validate(item.width, item.height, where=item.path)
        if item.is_video and track_id is not None and track_id >= 0:
            _check_track(self.project, item, track_id)
        if item.is_video and self.active.kind == "sam2":
            if item.id in self._busy:
                raise FaceLensError("this video is being propagated; wait for it or cancel it before clicking")
            session = self._session(item)
            if track_id is not None and track_id >= 0 and track_id not in session.track_ids:
                self._sync(session, item)  # an object from an earlier session: give SAM 2 its prompts first
            obj = track_id if track_id is not None else next(self._provisional)
            full = prompt if replace or track_id is None else session.prompts.get((obj, frame), Prompt()).merged(prompt)
            return Clicked(session.add_prompt(frame, obj, full), full, obj)
        result = self.active.segmenter.segment(item.sha256, frame, lambda: self._image(item, frame), prompt)
        return Clicked(result, prompt, track_id)

    def _accept(self, item: MediaItem, frame: int | None, clicked: "Clicked", label_id: int | None) -> Segmented:
        if not clicked.result.mask.any():
            who = "GrabCut" if clicked.result.segmenter == "grabcut" else "SAM 2"
            raise FaceLensError(f"{item.path}: {who} found no object at this prompt (an "
                                f"empty mask); nothing was stored: click inside the object or draw a box around it")
        if not item.is_video:
            ann = save_segment(self.project, item, None, clicked.result.mask, clicked.result.score,
                               clicked.result.segmenter, clicked.prompt, None, label_id)
            return Segmented(ann, None, clicked.result)
        # (another program propagating this video would track over the new prompt's frame, or miss the object)
        with rewriting_masks(self.project, item, "add or correct an object on it"):
            track_id, new = clicked.track_id, None
            if track_id is None or track_id < 0:
                new = self.project.tracks.add(Track(media_id=item.id, label_id=label_id))
                session = self._sessions.get(item.id)
                if session is not None and track_id is not None:
                    session.rename_track(track_id, new.id)
                track_id = new.id
            else:
                existing = _check_track(self.project, item, track_id)
                label_id = existing.label_id if label_id is None else label_id
            try:
                ann = save_segment(self.project, item, frame, clicked.result.mask, clicked.result.score,
                                   clicked.result.segmenter, clicked.prompt, track_id, label_id)
            except Exception:  # (a full disk, say) the new track goes too: it stayed, empty, in the project
                if new is not None:
                    self._forget_new_track(item, new, clicked.track_id)
                raise
        return Segmented(ann, track_id, clicked.result)

    def _forget_new_track(self, item: MediaItem, track: Track, provisional: int | None) -> None:
        session = self._sessions.get(item.id)
        if session is not None and provisional is not None:
            session.rename_track(track.id, provisional)  # the object waits under its old id for another try
        try:
            self.project.tracks.delete(track)
        except Exception:  # the database refuses this too: the error being raised says why
            pass

    # --- propagation -----------------------------------------------------------------------------------------
    def propagate_job(self, item: MediaItem, first: int = 0, last: int | None = None, from_frame: int | None = None,
                      on_masks: MaskListener | None = None):
        """Track every prompted object of ``item`` over frames ``first..last`` (a batch job, a ``Propagated``).

        ``from_frame``: re-propagate only from there (after a corrective click), in the direction it was tracked.
        ``on_masks(frame, {track id: mask})`` hears each frame's masks as they come (on the engine thread).
        """
        if not item.is_video:
            raise InputError(f"media {item.id} is an image; only a video can be propagated", path=item.path)
        if not self.active.can_propagate:
            raise FaceLensError(f"propagation needs SAM 2: {self.active.status()['note']}")
        compiled = self.compile_propagation
        if compiled and (refusal := compile_refusal(self.active.device)):
            raise FaceLensError(refusal)
        last = (item.frame_count or 1) - 1 if last is None else last
        if from_frame is not None and not first <= from_frame <= last:
            raise InputError(f"frame {from_frame} to propagate from is outside the frames {first}..{last}",
                             path=item.path, field="from-frame")

        def job(ctx):
            if not load_prompts(self.project, item.id):
                raise InputError(f"no object is prompted in media {item.id}; add one with segment "
                                 f"(--frame N --point X,Y) or the SAM tool first", path=item.path)
            with rewriting_masks(self.project, item, "propagate it"):
                try:
                    return (yield from tracking(ctx))
                finally:
                    self._close_if_stale(item.id)

        def tracking(ctx):
            session = self._session(item)

            def preparing(done: int, count: int) -> None:  # each stored prompt costs SAM 2 a frame's work
                ctx.check()
                ctx.progress(0, None, f"giving SAM 2 the stored prompts ({done + 1}/{count})")

            self._sync(session, item, preparing)
            predictor = None
            if compiled:
                ctx.progress(0, None, WARMING)
                predictor = session.model.compiled_predictor()
            backward = reached_backward({f for _, f in session.prompts}, from_frame) if from_frame is not None else None
            total = session.frames_to_report(first, last, from_frame, bool(backward))
            labels = {t.id: t.label_id for t in self.project.tracks.for_media(item.id)}
            writer = WRITERS.writer(self.project, item, self.active.model.name,
                                    {t: labels.get(t) for t in session.track_ids}, prompted=session.prompts)
            out, done = Propagated(), 0
            self._busy.add(item.id)
            try:
                def crossing(frame: int) -> None:  # prompts after the range: SAM 2 tracks its way back to it
                    ctx.check()
                    ctx.progress(done, total, f"frame {frame}, on the way to the range from the prompt")

                for frame, per_track in session.propagate(first, last, from_frame, bool(backward), predictor,
                                                          crossing):
                    writer.add(frame, per_track)
                    out.frames[frame] = sorted(t for t, (m, _) in per_track.items() if m.any())
                    if on_masks:
                        on_masks(frame, {t: m for t, (m, _) in per_track.items()})
                    done += 1
                    ctx.progress(done, total, f"frame {frame}")
                    yield
            except FaceLensError as e:  # a frame the file cannot give (damaged there), say: what was done stays
                if done:
                    raise FaceLensError(f"{e}; the {counted(done, 'frame')} tracked before it "
                                        f"{'is' if done == 1 else 'are'} kept") from e
                raise
            finally:
                self._busy.discard(item.id)
                writer.flush()  # also when cancelled: every frame done is kept
            out.annotations, out.kept, out.unchanged = writer.written, writer.kept, writer.unchanged
            out.removed, out.deleted_meanwhile = writer.removed, sorted(writer.gone_tracks)
            out.tracks = sorted(set(session.track_ids) - writer.gone_tracks)
            for frame, ids in out.frames.items():  # (their masks are not in the project)
                out.frames[frame] = [t for t in ids if t not in writer.gone_tracks]
            return out

        return job

    def propagate(self, item: MediaItem, first: int = 0, last: int | None = None, from_frame: int | None = None,
                  on_masks: MaskListener | None = None, on_progress=None, on_done=None) -> JobHandle:
        return self.engine.submit(self.propagate_job(item, first, last, from_frame, on_masks),
                                  f"propagate {item.name}", Priority.BATCH, on_progress, on_done)

    # --- look-ahead ------------------------------------------------------------------------------------------
    def prefetch_job(self, item: MediaItem, frame: int | None = None):
        """Compute the embedding of ``item`` (at ``frame``) ahead (run it at batch priority); None if there is
        nothing to compute (GrabCut)."""
        if self.active.kind != "sam2":
            return None
        segmenter = self.active.segmenter
        frame = _check_frame(item, frame)

        def job(ctx):  # a batch job that yields between the encoder's blocks: a click never waits for all of it
            if item.is_video:
                if item.id not in self._busy:
                    yield from self._session(item).features_steps(frame)
            else:
                yield from segmenter.embed_steps(item.sha256, None, lambda: read_image(self.project, item))
        return job

    def prefetch(self, item: MediaItem, frame: int | None = None) -> JobHandle | None:
        job = self.prefetch_job(item, frame)
        return self.engine.submit(job, "embed ahead", Priority.BATCH) if job else None

    # --- sessions ----------------------------------------------------------------------------------------------
    def _session(self, item: MediaItem) -> VideoSession:
        session = self._sessions.get(item.id)
        if session is None:
            model = self.active.segmenter.model()
            session = VideoSession(model, lambda: open_video(self.project, item), item, self.offload_state)
            WRITERS.warm()  # the helper that will store its propagation's masks starts meanwhile
            self._sessions[item.id] = session
            while len(self._sessions) > self.keep_sessions:  # the oldest go, but not one being propagated
                evict = next((m for m in self._sessions if m not in self._busy and m != item.id), None)
                if evict is None:
                    break
                self._sessions.pop(evict).close()
        self._sessions.move_to_end(item.id)
        return session

    def _sync(self, session: VideoSession, item: MediaItem, before_each: Callable[[int, int], None] | None = None
              ) -> None:
        """Make the session's prompts those the project holds (another window, the CLI or an undo may have
        changed them); provisional objects (not accepted yet) stay. ``before_each(i, n)`` runs before each of
        the n prompts SAM 2 is given."""
        stored = load_prompts(self.project, item.id)
        tracks = {t for t, _ in stored}
        for t in [t for t in session.track_ids if t >= 0 and t not in tracks]:
            session.remove_track(t)
        for (t, f) in [k for k in session.prompts if k[0] >= 0 and k not in stored]:
            session.clear_prompt(t, f)
        new = [(key, prompt) for key, prompt in stored.items() if session.prompts.get(key) != prompt]
        for i, ((t, f), prompt) in enumerate(new):
            if before_each:
                before_each(i, len(new))
            session.add_prompt(f, t, prompt)

    def release_sessions(self) -> None:
        """Close the open sessions (another model chosen, memory short). One being propagated is closed when
        its propagation ends: closing it between two of its frames failed it (KeyError 'output_dict_per_obj')."""
        for media_id in list(self._sessions):
            if media_id in self._busy:
                self._stale.add(media_id)
            else:
                self._sessions.pop(media_id).close()

    def _close_if_stale(self, media_id: int) -> None:
        """A propagation ended: close its session if it was released meanwhile."""
        if media_id in self._stale:
            self._stale.discard(media_id)
            session = self._sessions.pop(media_id, None)
            if session is not None:
                session.close()

    def _image(self, item: MediaItem, frame: int | None) -> np.ndarray:
        if not item.is_video:
            return read_image(self.project, item)
        with open_video(self.project, item) as reader:
            return reader.read(frame)


@dataclass
class Clicked:
    """A preview: the mask for a prompt, the full prompt given so far, and the object (track) it is for."""

    result: SegmentResult
    prompt: Prompt
    track_id: int | None


def _check_frame(item: MediaItem, frame: int | None) -> int | None:
    if not item.is_video:
        if frame is not None:
            raise InputError(f"media {item.id} is an image; --frame applies to videos only", path=item.path,
                             field="frame")
        return None
    frame = 0 if frame is None else int(frame)
    count = item.frame_count or 0
    if not 0 <= frame < count:
        raise InputError(f"frame {frame} is outside the video (0..{count - 1})", path=item.path, field="frame")
    return frame


def _check_track(project, item: MediaItem, track_id: int) -> Track:
    """The track a correction is for: it must exist and belong to this video."""
    track = project.tracks.get(track_id)
    if track is None or track.media_id != item.id:
        have = ", ".join(str(t.id) for t in project.tracks.for_media(item.id)) or "none"
        raise InputError(f"track {track_id} is not an object of media {item.id} (its tracks: {have})",
                         path=item.path, field="track")
    return track
