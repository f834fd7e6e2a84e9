"""Where a project keeps what it derives from its media (frame indexes, thumbnails), and opening media."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from annotation.errors import InputError
from annotation.model import MediaItem
from storage.media.frame_index import FrameIndex, build_frame_index
from storage.media.images import load_image
from storage.media.video import VideoReader

if TYPE_CHECKING:
    from storage.project import Project


def index_path(project: "Project", sha256: str) -> Path:
    return project.cache_dir / "index" / f"{sha256}.npz"


def thumbnail_path(project: "Project", sha256: str) -> Path:
    return project.cache_dir / "thumbs" / f"{sha256}.jpg"


def media_file(project: "Project", item: MediaItem) -> Path:
    """The file of ``item``, as it was imported: a file whose size changed since is another file (re-encoded,
    cut, damaged), on which the project's frames, masks and hashes no longer line up; reading it anyway gave
    masks on the wrong frames, or an error at the first frame past its new end. (Checking its SHA-256 is
    ``verify``'s job: it reads the whole file.)"""
    path = project.absolute_path(item.path)
    if not path.is_file():
        raise InputError(f"the media file is missing (moved or deleted? `main.py relink PROJECT {item.id} NEW_PATH` "
                         "points the project at its new place)", path=str(path))
    size = path.stat().st_size
    if item.size_bytes and size != item.size_bytes:
        raise InputError(f"the media file changed since it was imported ({size} bytes, recorded {item.size_bytes}); "
                         "put the original back ('verify' checks it), or import the new file as new media",
                         path=str(path))
    return path


def frame_index(project: "Project", item: MediaItem) -> FrameIndex:
    """The video's frame index from the cache, rebuilt (and cached again) when it is not there."""
    cached = index_path(project, item.sha256)
    if cached.is_file():
        try:
            return FrameIndex.load(cached)
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache file is rebuilt below
    index = build_frame_index(media_file(project, item))
    index.save(cached)
    return index


def open_video(project: "Project", item: MediaItem, threads: bool = True) -> VideoReader:
    if not item.is_video:
        raise InputError(f"media {item.id} is an image, not a video", path=item.path)
    return VideoReader(media_file(project, item), frame_index(project, item), threads=threads, rotation=item.rotation)


def read_image(project: "Project", item: MediaItem) -> np.ndarray:
    return load_image(media_file(project, item))


def open_display_video(project: "Project", item: MediaItem) -> VideoReader:
    """A reader for showing the video: on its fast-seek proxy when one was built (same frames, quick jumps),
    else on the original. Models and exports keep using ``open_video``, which always reads the original."""
    from storage.media.proxy import proxy_for  # the proxy module builds on this one

    proxy = proxy_for(project, item) if item.is_video else None
    if proxy is None:
        return open_video(project, item)
    path, index = proxy
    # A short GOP is reached in a few decodes; frame threads would only add their pipeline delay to a jump.
    return VideoReader(path, index, threads=False, rotation=item.rotation)  # (a proxy keeps the original's pixels)
