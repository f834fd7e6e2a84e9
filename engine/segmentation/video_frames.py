"""A video's frames as SAM 2's video predictor wants them, read from the video file as they are needed.

SAM 2's ``init_state`` decodes every frame of a video into memory first (about 12 MB per frame at its
1024 x 1024 input: 216 GB for ten minutes at 30 fps). ``StreamingFrames`` stands in for that list: indexing it
decodes the frame with the frame-accurate ``VideoReader``, resizes it to the model's input and normalises it
on the device. During a propagation a read-ahead thread decodes the frames in the order they will be asked
for (forward, or backward a keyframe group at a time) into a small bounded queue, so decoding overlaps the
model and memory holds only a few frames.
"""
from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from typing import Callable, Sequence

import cv2
import numpy as np
import torch

from storage.media.video import VideoReader

MEAN = (0.485, 0.456, 0.406)  # SAM 2's input normalisation (ImageNet)
STD = (0.229, 0.224, 0.225)
_DONE = object()


class StreamingFrames:
    def __init__(self, open_reader: Callable[[], VideoReader], image_size: int, device: torch.device,
                 keep: int = 4, read_ahead: int = 8, backward_chunk: int = 32):
        self._open_reader = open_reader
        self._reader = open_reader()
        self._reader_lock = threading.Lock()
        self.image_size = image_size
        self.device = torch.device(device)
        self._mean = torch.tensor(MEAN, device=self.device).view(3, 1, 1)
        self._std = torch.tensor(STD, device=self.device).view(3, 1, 1)
        self._cache: OrderedDict[int, torch.Tensor] = OrderedDict()  # the last few model inputs
        self._keep = keep
        self._read_ahead = read_ahead
        self._backward_chunk = backward_chunk
        self._ahead: _ReadAhead | None = None
        self.decoded = 0  # frames decoded so far (the benchmark reports it)

    def __len__(self) -> int:
        return self._reader.frame_count

    # --- what SAM 2 calls ----------------------------------------------------------------------------------
    def __getitem__(self, n: int) -> torch.Tensor:
        n = int(n)
        hit = self._cache.get(n)
        if hit is not None:
            self._cache.move_to_end(n)
            return hit
        small = self._ahead.take(n) if self._ahead is not None else None
        if small is None:
            small = self.model_sized(self.read(n))
        tensor = self.to_model_input(small)
        self._cache[n] = tensor
        while len(self._cache) > self._keep:
            self._cache.popitem(last=False)
        return tensor

    # --- reading -------------------------------------------------------------------------------------------
    def read(self, n: int) -> np.ndarray:
        """Frame ``n`` at full resolution, RGB."""
        with self._reader_lock:
            self.decoded += 1
            return self._reader.read(n)

    def model_sized(self, rgb: np.ndarray) -> np.ndarray:
        """The frame resized to the model's square input (uint8 RGB), area-averaged when shrinking."""
        s = self.image_size
        shrink = rgb.shape[0] > s or rgb.shape[1] > s
        return cv2.resize(rgb, (s, s), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)

    def staged(self, small: np.ndarray):
        """A read-ahead frame made ready for upload: in page-locked memory when the model is on a GPU, so the
        copy runs asynchronously instead of making the engine thread wait for the GPU to drain its queue."""
        return torch.from_numpy(small).pin_memory() if self.device.type == "cuda" else small

    def to_model_input(self, small) -> torch.Tensor:
        t = small if torch.is_tensor(small) else torch.from_numpy(small)
        t = t.to(self.device, non_blocking=True).permute(2, 0, 1).float().div_(255.0)
        return (t - self._mean) / self._std

    # --- read-ahead during a propagation -------------------------------------------------------------------
    def plan(self, order: Sequence[int]) -> None:
        """The frames a propagation will ask for, in that order: decode them ahead in a thread."""
        self.stop_read_ahead()
        if len(order):
            self._ahead = _ReadAhead(self, list(order), self._read_ahead, self._backward_chunk)

    def stop_read_ahead(self) -> None:
        if self._ahead is not None:
            self._ahead.stop()
            self._ahead = None

    def close(self) -> None:
        self.stop_read_ahead()
        self._cache.clear()
        with self._reader_lock:
            self._reader.close()


class _ReadAhead:
    """Decodes the planned frames in order into a bounded queue (its own reader, so seeks do not collide)."""

    def __init__(self, frames: StreamingFrames, order: list[int], depth: int, backward_chunk: int):
        self._frames, self._order = frames, order
        self._position = {n: i for i, n in enumerate(order)}
        self._pending = None
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._chunk = backward_chunk
        self._thread = threading.Thread(target=self._run, name="facelens-sam2-frames", daemon=True)
        self._thread.start()

    def take(self, n: int) -> np.ndarray | None:
        """Frame ``n`` if it is the next planned one (planned frames never asked for are skipped), else None."""
        want = self._position.get(n)
        if want is None:
            return None  # not in the plan: the caller reads it directly
        while True:
            if self._pending is None:
                if not self._thread.is_alive() and self._queue.empty():
                    return None
                try:
                    self._pending = self._queue.get(timeout=0.5)
                except queue.Empty:
                    continue
            if self._pending is _DONE:
                return None
            i, small = self._pending
            if i == n:
                self._pending = None
                return small
            if self._position[i] > want:
                return None  # n was asked for again after the plan moved on: read it directly
            self._pending = None  # a planned frame that was not needed (e.g. a prompted frame)

    def stop(self) -> None:
        self._stop.set()
        while not self._queue.empty():
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._thread.join(5)

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        reader = self._frames._open_reader()
        try:
            for n, rgb in self._decode_in_order(reader):
                if not self._put((n, self._frames.staged(self._frames.model_sized(rgb)))):
                    return
            self._put(_DONE)
        except Exception:
            self._put(_DONE)  # the engine thread reads the frame itself and reports the error
        finally:
            reader.close()

    def _decode_in_order(self, reader: VideoReader):
        order, i = self._order, 0
        while i < len(order) and not self._stop.is_set():
            n = order[i]
            if i + 1 < len(order) and order[i + 1] == n - 1:
                # Backward: decode a run of frames forward once (from their keyframe) and hand them out reversed.
                lo = n
                while i + (n - lo) + 1 < len(order) and order[i + (n - lo) + 1] == lo - 1 and n - lo + 1 < self._chunk:
                    lo -= 1
                chunk = [(k, reader.rgb(frame)) for k, frame in reader.frames(lo, n + 1)]
                self._frames.decoded += len(chunk)
                yield from reversed(chunk)
                i += len(chunk)
            else:
                self._frames.decoded += 1
                yield n, reader.read(n)
                i += 1
