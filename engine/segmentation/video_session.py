"""One video's SAM 2 tracking session: its objects (each a project Track), their prompts, and propagation.

The inference state is built here rather than with ``SAM2VideoPredictor.init_state(video_path)``, which needs
a folder of JPEG frames (or decord) and decodes the whole video into memory first: the frames come from the
video file through ``StreamingFrames``, and ``trim_outputs`` drops per-frame memory SAM 2 will not read again,
so memory stays flat however long the video. SAM 2's object ids are the project's track ids, so an object
keeps its id across sessions, prompts and propagations.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import torch

from annotation.model import MediaItem
from engine.segmentation.embed_steps import Steppers, inference, trunk_gives, trunk_in_steps
from engine.segmentation.prompt import Prompt, SegmentResult
from engine.segmentation.host_copy import HostCopy
from engine.segmentation.sam2_models import Sam2Model
from engine.segmentation.video_frames import StreamingFrames
from engine.segmentation.video_memory import match_memory_dtype, memory_window, trim_outputs
from storage.media.video import VideoReader


class FrameFeatures(OrderedDict):
    """The image features of the last few frames (SAM 2 keeps only the last one), least recently used out."""

    def __init__(self, keep: int):
        super().__init__()
        self.keep = keep

    def get(self, frame, default=None):
        if frame in self:
            self.move_to_end(frame)
        return super().get(frame, default)

    def absorb(self, new: dict) -> "FrameFeatures":
        for k, v in new.items():
            self[k] = v
            self.move_to_end(k)
        while len(self) > self.keep:
            self.popitem(last=False)
        return self


class SessionState(dict):
    """SAM 2's inference state. SAM 2 replaces ``cached_features`` with a one-frame dict after each new frame;
    here that frame joins a small LRU instead, so a frame's features can be computed ahead (the look-ahead)
    and going back to the frame being annotated does not run the image encoder again."""

    def __setitem__(self, key, value):
        if key == "cached_features" and isinstance(self.get(key), FrameFeatures):
            value = self[key].absorb(value)
        super().__setitem__(key, value)


def new_state(predictor, frames: StreamingFrames, height: int, width: int, offload_state: bool,
              keep_features: int = 3) -> dict:
    """SAM 2's inference state, as ``init_state`` makes it, but over streamed frames (sam2 1.1.0 layout)."""
    device = frames.device
    return SessionState({
        "images": frames, "num_frames": len(frames), "offload_video_to_cpu": False,
        "offload_state_to_cpu": offload_state, "video_height": height, "video_width": width,
        "device": device, "storage_device": torch.device("cpu") if offload_state else device,
        "point_inputs_per_obj": {}, "mask_inputs_per_obj": {}, "cached_features": FrameFeatures(keep_features),
        "constants": {}, "obj_id_to_idx": OrderedDict(), "obj_idx_to_id": OrderedDict(), "obj_ids": [],
        "output_dict_per_obj": {}, "temp_output_dict_per_obj": {}, "frames_tracked_per_obj": {},
    })


@dataclass(frozen=True)
class Pass:
    start: int
    count: int  # frames after ``start`` to track (SAM 2's max_frame_num_to_track)
    reverse: bool

    def frames(self) -> list[int]:
        step = -1 if self.reverse else 1
        return list(range(self.start, self.start + step * (self.count + 1), step))


def plan_passes(prompted: set[int], first: int, last: int, from_frame: int | None = None,
                backward: bool | None = None) -> list[Pass]:
    """The SAM 2 passes that cover frames ``first..last``, given the frames with prompts on them.

    Forward from the first prompted frame (or ``first``, if that is later) to ``last``; then, only if the range
    starts before every prompt, backward from the first prompt down to ``first`` (SAM 2 tracks every object in
    each pass, whichever frame its prompt is on, so a later prompt needs no pass of its own). From a corrective
    prompt (``from_frame``): one pass from there, in the direction that frame was tracked, to the range's end.
    """
    if from_frame is not None:
        return [Pass(from_frame, from_frame - first, True)] if backward else [Pass(from_frame, last - from_frame,
                                                                                   False)]
    if not prompted:
        return []
    out = []
    earliest = min(prompted)
    start = max(first, earliest)
    if start <= last:
        out.append(Pass(start, last - start, False))
    if earliest > first:
        out.append(Pass(earliest, earliest - first, True))
    return out


def reached_backward(prompted: set[int], frame: int) -> bool:
    """Whether ``plan_passes`` reaches ``frame`` going backward: it lies before every other prompt. What a
    corrective prompt there re-propagates along, in any session (SAM 2 keeps no record of it in the project)."""
    others = prompted - {frame}
    return bool(others) and frame < min(others)


class VideoSession:
    def __init__(self, model: Sam2Model, open_reader: Callable[[], VideoReader], item: MediaItem,
                 offload_state: bool = False):
        self.model, self.item = model, item
        self.frames = StreamingFrames(open_reader, model.image_size, model.device.torch_device)
        self.state = new_state(model.predictor, self.frames, item.height, item.width, offload_state)
        self.prompts: dict[tuple[int, int], Prompt] = {}  # (track id, frame) -> the prompt SAM 2 was given
        self.window = memory_window(model.predictor)
        # Only a CUDA device computes the next frame while the host stores this one; elsewhere holding a frame
        # back would only delay its masks (and a cancel) by a frame.
        self._overlap = model.device.type == "cuda"
        # Without autocast the model computes in float32 and must read its memories in float32 too.
        self._memory_dtype = None if model.device.autocast_dtype else torch.float32
        self._steppers = Steppers()  # look-ahead features part-way through, by frame

    @property
    def frame_count(self) -> int:
        return len(self.frames)

    @property
    def track_ids(self) -> list[int]:
        return list(self.state["obj_ids"])

    def close(self) -> None:
        self.frames.close()
        self.state.clear()

    # --- prompting -----------------------------------------------------------------------------------------
    def add_prompt(self, frame: int, track_id: int, prompt: Prompt) -> SegmentResult:
        """Give object ``track_id`` this prompt on ``frame`` (replacing what it had there); its mask there."""
        prompt.validate(self.item.width, self.item.height)
        self._check_frame(frame)
        pts = np.asarray(prompt.points, np.float32).reshape(-1, 2) if prompt.points else None
        labels = np.asarray(prompt.labels, np.int32) if prompt.points else None
        self._finish_look_ahead(frame)
        with torch.inference_mode(), self.model.device.autocast():
            _, obj_ids, masks = self.model.predictor.add_new_points_or_box(
                self.state, frame_idx=int(frame), obj_id=int(track_id), points=pts, labels=labels,
                box=np.asarray(prompt.box, np.float32) if prompt.box is not None else None, clear_old_points=True)
            # Column-major, as propagated masks are: the order COCO RLE reads, so storing it copies nothing.
            mask = (masks[obj_ids.index(track_id), 0] > 0).T.contiguous().cpu().numpy().T
        self.prompts[(int(track_id), int(frame))] = prompt
        return SegmentResult(mask=mask, score=self._presence(track_id, frame), segmenter=self.model.name,
                             candidates=[(mask, 1.0)])

    def has_features(self, frame: int) -> bool:
        return frame in self.state["cached_features"]

    def features_steps(self, frame: int) -> Iterator[None]:
        """Run the image encoder on ``frame`` (the look-ahead), so a click there answers at once; yields between
        the encoder's blocks, where a click on the frame on screen can run."""
        self._check_frame(frame)
        if self.has_features(frame):
            return
        device = self.model.device

        def start():
            with inference(device):
                image = self.state["images"][int(frame)].to(self.state["device"]).float().unsqueeze(0)
            return trunk_in_steps(self.model.predictor.image_encoder.trunk, image, lambda: inference(device))

        outputs = yield from self._steppers.run(int(frame), start)
        if outputs is not None and self.state:  # (else a click finished it, or the session closed meanwhile)
            self._keep_features(frame, outputs)

    def _finish_look_ahead(self, frame: int) -> None:
        """A look-ahead part-way through ``frame``'s features: run its remaining blocks now (a click there)."""
        outputs = self._steppers.finish(int(frame))
        if outputs is not None:
            self._keep_features(frame, outputs)

    def _keep_features(self, frame: int, trunk_outputs: list) -> None:
        if not self.has_features(frame):
            with inference(self.model.device), trunk_gives(self.model.predictor.image_encoder.trunk, trunk_outputs):
                self.model.predictor._get_image_feature(self.state, frame_idx=int(frame), batch_size=1)

    def rename_track(self, old: int, new: int) -> None:
        """Give an object its project track id once the user accepts it (it had a provisional id)."""
        s = self.state
        if old == new or old not in s["obj_id_to_idx"]:
            return
        s["obj_idx_to_id"][s["obj_id_to_idx"][old]] = new
        ids = [s["obj_idx_to_id"][i] for i in range(len(s["obj_idx_to_id"]))]  # SAM 2 keeps them in index order
        s["obj_id_to_idx"] = OrderedDict((obj_id, i) for i, obj_id in enumerate(ids))
        s["obj_ids"] = ids
        self.prompts = {((new if t == old else t), f): p for (t, f), p in self.prompts.items()}

    def clear_prompt(self, track_id: int, frame: int) -> None:
        if (track_id, frame) in self.prompts and track_id in self.state["obj_id_to_idx"]:
            with torch.inference_mode():
                self.model.predictor.clear_all_prompts_in_frame(self.state, frame, track_id, need_output=False)
        self.prompts.pop((track_id, frame), None)

    def remove_track(self, track_id: int) -> None:
        if track_id in self.state["obj_id_to_idx"]:
            with torch.inference_mode():
                self.model.predictor.remove_object(self.state, int(track_id), need_output=False)
        self.prompts = {k: v for k, v in self.prompts.items() if k[0] != track_id}

    def _check_frame(self, frame: int) -> None:
        if not 0 <= frame < self.frame_count:
            from annotation.errors import InputError

            raise InputError(f"frame {frame} is outside the video (0..{self.frame_count - 1})",
                             path=self.item.path, field="frame")

    def _presence(self, track_id: int, frame: int) -> float | None:
        """How sure SAM 2 is that the object is on the frame (sigmoid of its object score)."""
        logit = self._presence_logit(track_id, frame)
        return None if logit is None else float(torch.sigmoid(logit.float()).flatten()[0])

    def _presence_logit(self, track_id: int, frame: int) -> torch.Tensor | None:
        idx = self.state["obj_id_to_idx"].get(track_id)
        if idx is None:
            return None
        for store in (self.state["temp_output_dict_per_obj"][idx], self.state["output_dict_per_obj"][idx]):
            for kind in ("cond_frame_outputs", "non_cond_frame_outputs"):
                out = store[kind].get(frame)
                if out is not None and out.get("object_score_logits") is not None:
                    return out["object_score_logits"]
        return None

    # --- propagation ---------------------------------------------------------------------------------------
    def passes(self, first: int, last: int, from_frame: int | None = None, backward: bool | None = None) -> list[Pass]:
        """The SAM 2 passes that cover frames ``first..last`` (see ``plan_passes``)."""
        return plan_passes({f for _, f in self.prompts}, first, last, from_frame, backward)

    def propagate(self, first: int, last: int, from_frame: int | None = None, backward: bool | None = None,
                  predictor=None, crossing: Callable[[int], None] | None = None
                  ) -> Iterator[tuple[int, dict[int, tuple[np.ndarray, float | None]]]]:
        """Track every object over ``first..last``: yields (frame, {track id: (mask, presence)}) as each is done.
        ``predictor``: another predictor over the same weights to track with (the compiled one), instead of
        the model's own; the session's state serves both. ``crossing(frame)`` hears of each frame tracked on the
        way to the range (prompts after it): no mask comes for those, but the caller can report and cancel.

        Masks are full-resolution booleans in column-major order (what COCO RLE encoding reads without a
        copy). Frames outside the range that a pass crosses to get there are tracked but not yielded. On CUDA
        each frame is handed out once the next one is queued on the device (see ``HostCopy``), elsewhere at once.
        """
        first, last = max(0, first), min(self.frame_count - 1, last)
        predictor = predictor or self.model.predictor
        with torch.inference_mode(), self.model.device.autocast():
            predictor.propagate_in_video_preflight(self.state)  # encode the prompts' memories before reading ahead
        if self._memory_dtype is not None:
            match_memory_dtype(self.state, self._memory_dtype)
        seen: set[int] = set()
        for p in self.passes(first, last, from_frame, backward):
            self.frames.plan(p.frames())
            pending = None
            try:
                steps = predictor.propagate_in_video(self.state, start_frame_idx=p.start,
                                                     max_frame_num_to_track=p.count, reverse=p.reverse)
                while True:
                    with self.model.device.autocast():
                        try:
                            frame, obj_ids, masks = next(steps)
                        except StopIteration:
                            break
                        ready = None
                        if first <= frame <= last and frame not in seen:
                            seen.add(frame)
                            # (N, W, H): each mask's columns contiguous, so its transpose is Fortran-ordered.
                            ready = (frame, obj_ids, HostCopy((masks[:, 0] > 0).transpose(1, 2).contiguous(),
                                                              self._score_logits(obj_ids, frame)))
                    if self._memory_dtype is not None:
                        match_memory_dtype(self.state, self._memory_dtype, frame)
                    trim_outputs(self.state, frame, self.window)
                    if ready is None and crossing is not None and not first <= frame <= last:
                        crossing(frame)
                    if pending is not None:
                        yield _finished(*pending)
                    pending = ready
                    if pending is not None and not self._overlap:  # nothing to overlap: hand it out now
                        yield _finished(*pending)
                        pending = None
                if pending is not None:
                    yield _finished(*pending)
            finally:
                self.frames.stop_read_ahead()

    def _score_logits(self, obj_ids, frame: int) -> torch.Tensor:
        """The objects' presence logits on ``frame`` as one tensor on the device (NaN where SAM 2 kept none)."""
        out = []
        for t in obj_ids:
            logit = self._presence_logit(t, frame)
            out.append(logit.float().flatten()[:1] if logit is not None else torch.full((1,), float("nan")))
        return torch.cat([o.to(self.model.device.torch_device) for o in out])

    def frames_to_report(self, first: int, last: int, from_frame: int | None = None,
                         backward: bool | None = None) -> int:
        first, last = max(0, first), min(self.frame_count - 1, last)
        return len({f for p in self.passes(first, last, from_frame, backward) for f in p.frames() if first <= f <= last})


def _finished(frame: int, obj_ids, copy: HostCopy) -> tuple[int, dict[int, tuple[np.ndarray, float | None]]]:
    masks, logits = copy.get()
    masks, presence = masks.numpy(), torch.sigmoid(logits).tolist()
    return frame, {int(t): (masks[i].T, None if np.isnan(presence[i]) else presence[i]) for i, t in enumerate(obj_ids)}
