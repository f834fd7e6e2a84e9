import threading

from storage.media.frames import FrameCache, FrameSource
from storage.media.video import VideoReader
from tests.media_factory import indexed_video, read_index

import numpy as np


def test_cache_is_bounded_in_bytes_and_keeps_the_recent_frames():
    cache = FrameCache(max_bytes=3 * 100)
    for n in range(5):
        cache.put(n, np.zeros(100, np.uint8))
    assert len(cache) == 3 and cache.get(0) is None and cache.get(4) is not None


def test_requests_are_answered_on_the_decoder_thread_and_read_ahead_fills_the_cache(tmp_path):
    path = indexed_video(tmp_path / "v.mp4", frames=40)
    src = FrameSource(lambda: VideoReader(path), read_ahead=10)
    try:
        got, done = {}, threading.Event()

        def answer(n, frame):
            got[n] = (read_index(frame), threading.current_thread().name)
            done.set()

        src.request(17, answer)
        assert done.wait(5)
        assert got[17] == (17, "facelens-frames")
        assert read_index(src.get(3)) == 3
        src.set_playhead(20, playing=True)
        for _ in range(200):
            if all(src.cached(n) is not None for n in range(21, 31)):
                break
            threading.Event().wait(0.02)
        assert [read_index(src.cached(n)) for n in range(21, 31)] == list(range(21, 31))
    finally:
        src.close()


def test_a_bad_frame_number_comes_back_as_an_error(tmp_path):
    path = indexed_video(tmp_path / "v.mp4", frames=10)
    src = FrameSource(lambda: VideoReader(path))
    try:
        import pytest

        with pytest.raises(IndexError):
            src.get(99, timeout=5)
        assert read_index(src.get(9, timeout=5)) == 9
    finally:
        src.close()


def _wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = threading.Event()
    for _ in range(int(seconds / 0.01)):
        if condition():
            return True
        deadline.wait(0.01)
    return condition()


def _show(src: FrameSource, n: int) -> np.ndarray:
    """What the window does to show frame n: take it from the cache, or ask the decoder thread and wait."""
    frame = src.cached(n)
    if frame is not None:
        return frame
    got, done = [], threading.Event()
    src.request(n, lambda i, f: (got.append(f), done.set()))
    assert done.wait(10)
    return got[0]


def test_the_reader_hands_back_the_frames_it_decoded_on_the_way(tmp_path):
    path = indexed_video(tmp_path / "v.mp4", frames=80, gop=30)  # keyframes at 0, 30, 60; B-frames on
    with VideoReader(path) as r:
        frame, kept = r.read_frame_keeping(50, keep=10)
        assert read_index(frame.to_ndarray(format="rgb24")) == 50
        assert [i for i, _ in kept] == list(range(40, 50))
        assert [read_index(f.to_ndarray(format="rgb24")) for _, f in kept] == list(range(40, 50))
        frame, kept = r.read_frame_keeping(51, keep=10)  # the next frame: decoding just goes on
        assert read_index(frame.to_ndarray(format="rgb24")) == 51 and kept == []
        frame, kept = r.read_frame_keeping(45, keep=40)  # the keyframe at 30 is as far back as it decodes
        assert [i for i, _ in kept] == list(range(30, 45))
        assert read_index(frame.to_ndarray(format="rgb24")) == 45


def test_stepping_backward_through_a_long_gop_shows_every_frame_in_turn(tmp_path):
    path = indexed_video(tmp_path / "v.mp4", frames=150, gop=100)  # keyframes at 0 and 100 only
    src = FrameSource(lambda: VideoReader(path), keep_behind=16, read_ahead=4)
    try:
        assert read_index(_show(src, 140)) == 140
        shown = []
        for n in range(139, -1, -1):  # Left, Left, Left ... down to the first frame
            # The frame before the viewer is prepared before anyone asks for it, also across the keyframe.
            assert _wait_until(lambda: n in src.cache), f"frame {n} was not prepared while stepping back"
            shown.append(read_index(_show(src, n)))
        assert shown == list(range(139, -1, -1))
    finally:
        src.close()


def test_stepping_forward_while_paused_prepares_the_next_frames(tmp_path):
    path = indexed_video(tmp_path / "v.mp4", frames=60, gop=50)
    src = FrameSource(lambda: VideoReader(path), read_ahead=5)
    try:
        assert read_index(_show(src, 30)) == 30
        for n in range(31, 45):  # Right, Right, ...: each next frame is ready before it is asked for
            assert _wait_until(lambda: n in src.cache)
            assert read_index(_show(src, n)) == n
    finally:
        src.close()


def test_a_jump_keeps_the_frames_just_before_it_for_the_first_steps_back(tmp_path):
    path = indexed_video(tmp_path / "v.mp4", frames=120, gop=100)
    src = FrameSource(lambda: VideoReader(path), keep_behind=16)
    try:
        assert read_index(_show(src, 90)) == 90
        # Decoded on the way to 90 and kept: no second pass from the keyframe is needed for these.
        assert _wait_until(lambda: all(n in src.cache for n in range(90 - src.jump_keep, 90)))
        assert [read_index(src.cache.get(n)) for n in range(90 - src.jump_keep, 90)] == \
            list(range(90 - src.jump_keep, 90))
    finally:
        src.close()


def test_while_paused_after_a_jump_both_sides_get_ready(tmp_path):
    path = indexed_video(tmp_path / "v.mp4", frames=120, gop=100)
    src = FrameSource(lambda: VideoReader(path), keep_behind=32, read_ahead=5)
    try:
        assert read_index(_show(src, 90)) == 90
        around = list(range(90 - 16, 90)) + list(range(91, 96))  # more than the jump itself kept behind it
        assert _wait_until(lambda: all(n in src.cache for n in around))
        assert [read_index(src.cache.get(n)) for n in around] == around
    finally:
        src.close()
