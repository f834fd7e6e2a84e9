"""What the user gives a segmenter (clicks and a box) and what comes back (a mask at full resolution).

Coordinates are pixels of the full-resolution image or frame, x to the right and y down, the same as the
canvas and the COCO format use; each segmenter maps them to its own input size.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from annotation.errors import InputError
from annotation.shapes import Box, Points


@dataclass(frozen=True)
class Prompt:
    points: tuple[tuple[float, float], ...] = ()
    labels: tuple[int, ...] = ()  # 1 positive, 0 negative (the SAM convention)
    box: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1
    previous: np.ndarray | None = field(default=None, compare=False)  # low-res logits of the mask being refined

    def __post_init__(self):
        labels = self.labels or (1,) * len(self.points)
        if len(labels) != len(self.points):
            raise InputError(f"{len(self.points)} points but {len(labels)} labels", field="labels")
        if any(v not in (0, 1) for v in labels):
            raise InputError(f"a point's label must be 1 (positive) or 0 (negative), got {list(labels)}",
                             field="labels")
        object.__setattr__(self, "points", tuple((float(x), float(y)) for x, y in self.points))
        object.__setattr__(self, "labels", tuple(int(v) for v in labels))
        if self.box is not None:
            b = Box(*self.box)  # normalised: x0 <= x1, y0 <= y1
            object.__setattr__(self, "box", (b.x0, b.y0, b.x1, b.y1))

    @property
    def empty(self) -> bool:
        return not self.points and self.box is None

    @property
    def multimask(self) -> bool:
        """A single click is ambiguous (part or whole?): ask for several masks and keep the best."""
        return len(self.points) == 1 and self.box is None and self.previous is None

    def validate(self, width: int, height: int, where: str = "") -> None:
        """Every point and the box must lie on the ``width`` x ``height`` image."""
        if self.empty:
            raise InputError("give at least one point or a box", path=where or None, field="point")
        for i, (x, y) in enumerate(self.points, 1):
            if not (0 <= x < width and 0 <= y < height):
                raise InputError(f"point {i} ({x:g}, {y:g}) lies outside the {width}x{height} image "
                                 f"(x in 0..{width - 1}, y in 0..{height - 1})", path=where or None, field="point")
        if self.box is not None:
            x0, y0, x1, y1 = self.box
            box = f"box ({x0:g}, {y0:g}, {x1:g}, {y1:g})"
            if not (x0 < x1 and y0 < y1):
                raise InputError(f"{box} has no area: give X0,Y0,X1,Y1 with X0 < X1 and Y0 < Y1",
                                 path=where or None, field="box")
            if not (0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height):
                raise InputError(f"{box} lies partly outside the {width}x{height} image (x in 0..{width}, y in "
                                 f"0..{height})", path=where or None, field="box")

    def merged(self, more: "Prompt") -> "Prompt":
        """This prompt with ``more`` clicks added (and ``more``'s box, if it has one)."""
        return Prompt(self.points + more.points, self.labels + more.labels,
                      more.box if more.box is not None else self.box, more.previous)

    def shapes(self) -> list:
        """The prompt as annotation shapes (how a video's prompts are kept in the project)."""
        out = []
        if self.box is not None:
            out.append(Box(*self.box))
        if self.points:
            out.append(Points(self.points, self.labels))
        return out

    def to_json(self) -> dict:
        return {"points": [list(p) for p in self.points], "labels": list(self.labels),
                "box": list(self.box) if self.box is not None else None}


@dataclass
class SegmentResult:
    mask: np.ndarray  # bool, height x width of the full-resolution image
    score: float | None  # the model's own quality estimate (SAM's predicted IoU), None for GrabCut
    segmenter: str  # "sam2.1_hiera_tiny", "grabcut", ...
    logits: np.ndarray | None = None  # low-res logits, to refine this mask with the next click
    candidates: list[tuple[np.ndarray, float]] = field(default_factory=list)  # every mask offered, best first
    candidate_logits: list[np.ndarray] = field(default_factory=list)  # each candidate's logits, same order

    @property
    def area(self) -> int:
        return int(self.mask.sum())

    @property
    def chosen(self) -> int:
        """Which candidate ``mask`` is (0: the best by SAM's own score)."""
        return next((i for i, (m, _) in enumerate(self.candidates) if m is self.mask), 0)

    def choose(self, index: int) -> "SegmentResult":
        """The same answer with candidate ``index`` as the mask (SAM's multimask choice: part, whole, ...)."""
        mask, score = self.candidates[index % len(self.candidates)]
        logits = self.candidate_logits[index % len(self.candidates)] if self.candidate_logits else None
        return SegmentResult(mask, score, self.segmenter, logits, self.candidates, self.candidate_logits)
