"""Fast-seek proxies: a short-GOP copy of a long-GOP video, used for display so that a jump is quick.

A camera or phone file puts a keyframe every few seconds; reaching a frame means decoding from the keyframe
before it (hundreds of frames at 1080p). The proxy re-encodes the video with a keyframe every ``gop`` frames
(H.264, no B-frames, ``tune=fastdecode``), so any frame is at most ``gop - 1`` decodes away. It has exactly
the frames of the original, in the same order and with the same timestamps, so frame N of the proxy is
frame N of the original and annotations line up. Only display reads use it (``library.open_display_video``);
models and exports read the original.

It lives in the project's ``cache/proxy/`` named by the original's SHA-256 (``<sha256>.mp4`` and its frame
index ``<sha256>.npz``), and is written beside its final name and renamed into place, so a cancelled or
crashed build leaves nothing half-written. Delete it and the project simply shows the original again.

Default GOP, measured by ``benchmarks/video_access.py`` (1080p clip, a shared 2-core machine): random jump
median / p95 and size were GOP 1 (all-intra) 9 / 16 ms at 23 Mbit/s, GOP 4 17 / 27 ms at 15 Mbit/s, GOP 8
23 / 39 ms at 10.5 Mbit/s, GOP 16 35 / 73 ms at 8 Mbit/s (the original, GOP 250: 420 ms median). GOP 8 is the
longest that keeps the p95 under the 50 ms target, at less than half the disk of all-intra; ``gop=1``
(``--gop 1``) makes an all-intra proxy when jumps should take a single frame's decode and disk does not matter.

For the GUI (Media -> "Build fast-seek proxy"), as an engine batch job that yields between chunks of frames
and can be cancelled::

    from storage.media.proxy import build_proxy_steps
    engine.submit(lambda ctx: build_proxy_steps(project, item, progress=ctx.progress,
                                                cancelled=lambda: ctx.cancelled),
                  name=f"Fast-seek proxy of {item.name}", priority=Priority.BATCH, on_done=...)

``build_proxy_steps(project, item, gop=PROXY_GOP, progress=None, cancelled=None)`` is a generator: it yields
after every ``CHUNK`` frames, calls ``progress(frames_done, frames_total)``, and returns (as the job's value)
the proxy's ``Path``, or ``None`` when ``cancelled()`` said yes. ``build_proxy(...)`` (same arguments) runs
it to the end in the caller's thread (CLI, tests). Errors are ``InputError`` naming the file.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Generator

import av

from annotation.errors import InputError
from annotation.model import MediaItem
from storage.media.frame_index import FrameIndex, build_frame_index
from storage.media.library import frame_index, media_file
from storage.media.video import VideoReader

if TYPE_CHECKING:
    from storage.project import Project

PROXY_GOP = 8
CHUNK = 10  # frames between two yields: a batch job hands the engine back about every few hundred ms
CRF = 20  # visually close to the original; the proxy is only looked at
Progress = Callable[[int, int], None]


def proxy_path(project: "Project", sha256: str) -> Path:
    return project.cache_dir / "proxy" / f"{sha256}.mp4"


def proxy_index_path(project: "Project", sha256: str) -> Path:
    return project.cache_dir / "proxy" / f"{sha256}.npz"


def proxy_for(project: "Project", item: MediaItem) -> tuple[Path, FrameIndex] | None:
    """The video's proxy and its frame index, when one was built and still has the original's frame count."""
    path, index_file = proxy_path(project, item.sha256), proxy_index_path(project, item.sha256)
    if not (path.is_file() and index_file.is_file()):
        return None
    try:
        index = FrameIndex.load(index_file)
    except (OSError, ValueError, KeyError):
        return None
    if item.frame_count is not None and index.frame_count != item.frame_count:
        return None  # not this video's frames: never show it
    return path, index


def remove_proxy(project: "Project", item: MediaItem) -> bool:
    removed = False
    for p in (proxy_path(project, item.sha256), proxy_index_path(project, item.sha256)):
        if p.is_file():
            p.unlink()
            removed = True
    return removed


def build_proxy(project: "Project", item: MediaItem, gop: int = PROXY_GOP, progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None) -> Path | None:
    steps = build_proxy_steps(project, item, gop, progress, cancelled)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def build_proxy_steps(project: "Project", item: MediaItem, gop: int = PROXY_GOP, progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None) -> Generator[int, None, Path | None]:
    if not item.is_video:
        raise InputError(f"media {item.id} is an image; only a video has a proxy", path=item.path)
    if not isinstance(gop, int) or gop < 1:
        raise InputError(f"the GOP must be a whole number of frames, 1 or more, got {gop!r}", field="gop")
    project.refuse_if_read_only("build a proxy in it")
    source = media_file(project, item)
    index = frame_index(project, item)
    target = proxy_path(project, item.sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f"{target.stem}.part{os.getpid()}.mp4")
    total = index.frame_count
    finished = False
    try:
        with VideoReader(source, index) as reader, av.open(str(part), mode="w") as out:
            stream = _proxy_stream(out, index, gop)
            first = int(index.pts[0])
            for n, frame in reader.frames():
                if cancelled is not None and cancelled():
                    return None
                frame = frame.reformat(format=stream.pix_fmt)
                frame.pts, frame.time_base = int(index.pts[n]) - first, index.time_base
                for packet in stream.encode(frame):
                    out.mux(packet)
                if (n + 1) % CHUNK == 0 or n + 1 == total:
                    if progress is not None:
                        progress(n + 1, total)
                    yield n + 1
            for packet in stream.encode():
                out.mux(packet)
        built = build_frame_index(part)
        if built.frame_count != total:
            raise InputError(f"the proxy came out with {built.frame_count} frames instead of {total}",
                             path=str(source))
        built.save(proxy_index_path(project, item.sha256))
        part.replace(target)
        finished = True
        return target
    except av.error.FFmpegError as e:
        raise InputError(f"cannot build its fast-seek proxy: {e}", path=str(source)) from None
    finally:
        if not finished:
            part.unlink(missing_ok=True)


def _proxy_stream(out, index: FrameIndex, gop: int):
    stream = out.add_stream("libx264", rate=round(index.fps) or 25)
    stream.width, stream.height = index.width, index.height
    # 4:2:0 needs even sizes; an odd-sized video keeps full chroma instead of being cropped or padded.
    stream.pix_fmt = "yuv420p" if index.width % 2 == 0 and index.height % 2 == 0 else "yuv444p"
    stream.time_base = index.time_base
    stream.codec_context.time_base = index.time_base
    stream.codec_context.gop_size = gop
    stream.options = {"preset": "veryfast", "tune": "fastdecode", "crf": str(CRF), "bf": "0",
                      "keyint_min": str(gop), "sc_threshold": "0"}
    return stream
