import random

import pytest

from storage.media.frame_index import build_frame_index
from storage.media.video import VideoReader
from tests.media_factory import index_frame, indexed_video, read_index


@pytest.mark.parametrize("suffix, codec, extra", [
    (".mp4", "libx264", {}),  # B-frames: decode order differs from display order
    (".mkv", "libx264", {"bframes": 0}),
    (".mov", "libx264", {}),
    (".avi", "mpeg4", {}),
    (".webm", "libvpx-vp9", {}),
])
def test_frame_n_is_the_nth_frame_after_random_seeks(tmp_path, suffix, codec, extra):
    path = indexed_video(tmp_path / f"v{suffix}", frames=75, gop=20, codec=codec, **extra)
    with VideoReader(path) as r:
        assert r.frame_count == 75
        order = list(range(75)) * 2
        random.Random(7).shuffle(order)
        for n in order:
            assert read_index(r.read(n)) == n
        for n in range(75):  # then straight through, as playback does
            assert read_index(r.read(n)) == n


def test_frames_come_back_rgb(tmp_path):
    path = indexed_video(tmp_path / "v.mp4", frames=5)
    with VideoReader(path) as r:
        px = r.read(3)[48, -10]
    assert px[0] > 100 and px[1] < 40 and px[2] < 40  # the margin is red (128, 0, 0)
    assert tuple(index_frame(3)[48, -10]) == (128, 0, 0)


def test_index_timing(tmp_path):
    path = indexed_video(tmp_path / "v.mp4", frames=50, fps=25)
    index = build_frame_index(path)
    assert index.frame_count == 50
    assert index.fps == pytest.approx(25)
    assert index.duration == pytest.approx(2.0)
    assert index.time_of(25) == pytest.approx(1.0)
    assert index.frame_at(1.03) == 25
    assert index.keyframe[0] and index.keyframe_before(13) == 12


def test_reading_outside_the_video_names_the_range(tmp_path):
    path = indexed_video(tmp_path / "v.mp4", frames=10)
    with VideoReader(path) as r, pytest.raises(IndexError, match="0..9"):
        r.read(10)
