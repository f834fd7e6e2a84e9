"""Writing frames to a video file with PyAV (the demo video, short-GOP proxies, test clips)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterable

import av
import numpy as np


def write_video(path: str | Path, frames: Iterable[np.ndarray], fps: float = 25.0, codec: str = "libx264",
                gop: int | None = None, crf: int = 20, preset: str = "veryfast", bframes: int | None = None,
                pix_fmt: str = "yuv420p") -> int:
    """Encode RGB uint8 frames (H x W x 3, even sizes for yuv420p) and return how many were written.

    The file is written beside the target and renamed into place, so a crash never leaves half a video
    under the final name.
    """
    path = Path(path)
    tmp = path.with_name(path.stem + ".part" + path.suffix)
    count = 0
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(tmp), mode="w") as out:
        stream = None
        for rgb in frames:
            if stream is None:
                stream = out.add_stream(codec, rate=rate)
                stream.height, stream.width = rgb.shape[:2]
                stream.pix_fmt = pix_fmt
                opts = {}
                if codec in ("libx264", "h264"):
                    opts = {"crf": str(crf), "preset": preset}
                if gop is not None:
                    stream.codec_context.gop_size = gop
                    if codec == "libx264":
                        opts["keyint_min"] = str(gop)
                        opts["sc_threshold"] = "0"  # keyframes exactly every `gop` frames
                if bframes is not None:
                    opts["bf"] = str(bframes)
                stream.options = opts
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
            count += 1
        if stream is not None:
            for packet in stream.encode():
                out.mux(packet)
    tmp.replace(path)
    return count
