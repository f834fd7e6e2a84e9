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
