"""Clips cut from a longer video without re-encoding, as `ffmpeg -ss … -c copy` and phone editors make them: the
import refused them ("frame 0 could not be decoded (timestamp -3584 never came out of the decoder)", or "…
the file is damaged there"). Frame 0 is now the first frame a player shows, and every frame is the right one."""
from __future__ import annotations

from pathlib import Path

import av

from storage.media.library import open_video
from storage.project import Project
from tests.cli import run_cli, run_json
from tests.media_factory import indexed_video, read_index


def _remux(source: Path, target: Path, keep, shift: int = 0) -> Path:
    """``target``: the packets of ``source`` for which ``keep(i, packet)`` holds (decode order), timestamps moved
    back by ``shift`` frames (the MP4 muxer writes an edit list for those that end up before 0)."""
    with av.open(str(source)) as src, av.open(str(target), "w") as out:
        stream = src.streams.video[0]
        copy = out.add_stream_from_template(stream)
        step = int(round(1 / (stream.average_rate * stream.time_base)))
        for i, packet in enumerate(p for p in src.demux(stream) if p.size):
            if keep(i, packet):
                packet.pts -= shift * step
                packet.dts -= shift * step
                packet.stream = copy
                out.mux(packet)
    return target


def _frames_shown(root: Path) -> list[int]:
    with Project.open(root) as p, open_video(p, p.media.get(1)) as reader:
        return [read_index(reader.read(n)) for n in range(reader.frame_count)]


def test_clips_cut_without_re_encoding_start_at_the_first_frame_a_player_shows(tmp_path):
    source = indexed_video(tmp_path / "long.mp4", frames=48, gop=12, bframes=2)
    edited = _remux(source, tmp_path / "edit_list.mp4", lambda i, p: True, shift=7)  # shown from frame 7
    mid_gop = _remux(source, tmp_path / "mid_gop.mp4", lambda i, p: i >= 5)  # its first keyframe cut away
    for clip, first in ((edited, 7), (mid_gop, 12)):
        root = tmp_path / clip.stem
        run_cli("new", root)
        out = run_json("import", root, clip)
        assert out["skipped"] == [] and len(out["imported"]) == 1, out
        assert run_json("info", root)["media"][0]["frames"] == 48 - first
        assert _frames_shown(root) == list(range(first, 48))


def test_a_clip_with_no_keyframe_left_is_refused_by_name(tmp_path):
    source = indexed_video(tmp_path / "long.mp4", frames=24, gop=24, bframes=2)
    no_key = _remux(source, tmp_path / "no_key.mp4", lambda i, p: not p.is_keyframe)
    root = tmp_path / "p"
    run_cli("new", root)
    out = run_json("import", root, no_key, check=1)
    assert out["skipped"] == [{"path": str(no_key), "reason": "no frame of it decodes (its keyframes are missing: "
                                                               "cut from a longer video without re-encoding?)"}]
