"""How long a long job has left, at its pace so far: what the SAM 2 panel and ``track`` on a terminal show.

The pace is counted from the first unit of work done, not from the start: opening a video and giving SAM 2
the stored prompts take as long as several frames and would make the first estimates wrong.
"""
from __future__ import annotations

import time


class Pace:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._start: tuple[float, float] | None = None  # (time, units done) at the first unit done

    def seconds_left(self, done: float, total: float | None) -> float | None:
        """None until two units after the first tell the pace."""
        if self._start is None and done >= 1:
            self._start = (self._clock(), done)
        if self._start is None or not total or done - self._start[1] < 2:
            return None
        t0, done0 = self._start
        return (total - done) * (self._clock() - t0) / (done - done0)


def time_left(seconds: float | None) -> str:
    """", about 12 min left" (nothing while unknown or under ten seconds: a GPU is done before it matters)."""
    if seconds is None or seconds < 10:
        return ""
    if seconds < 60:
        return ", under a minute left"
    minutes = round(seconds / 60)
    return f", about {minutes} min left" if minutes < 90 else f", about {minutes // 60} h {minutes % 60:02d} min left"
