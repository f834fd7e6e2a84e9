"""Geometry of an annotation: box, polygon, mask (COCO RLE), points, keypoints, or a tag with no geometry.

Each shape turns into a JSON-able ``geometry`` dict and back; ``shape_from_geometry`` checks every field so a
bad file or row is reported by name instead of failing later in the canvas.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import numpy as np
from pycocotools import mask as coco_mask

from annotation import rle
from annotation.errors import InputError

KINDS = ("box", "polygon", "mask", "points", "keypoints", "tag")


def _xy_list(value, field: str, width: int = 2) -> tuple[tuple[float, ...], ...]:
    if not isinstance(value, (list, tuple)):
        raise InputError(f"expected a list of [x, y] pairs, got {type(value).__name__}", field=field)
    out = []
    for i, p in enumerate(value):
        if not isinstance(p, (list, tuple)) or len(p) != width:
            raise InputError(f"item {i} should have {width} numbers, got {p!r}", field=field)
        try:
            out.append(tuple(float(v) for v in p))
        except (TypeError, ValueError):
            raise InputError(f"item {i} should be numbers, got {p!r}", field=field) from None
    return tuple(out)


def _bbox_of(points) -> tuple[float, float, float, float]:
    """(x, y, width, height) of the smallest box around ``points``."""
    a = np.asarray(points, dtype=float)
    x0, y0 = a.min(axis=0)
    x1, y1 = a.max(axis=0)
    return (float(x0), float(y0), float(x1 - x0), float(y1 - y0))


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    kind = "box"

    def __post_init__(self):
        # Store boxes normalised so that a box dragged up-left is the same box as one dragged down-right.
        x0, x1 = sorted((float(self.x0), float(self.x1)))
        y0, y1 = sorted((float(self.y0), float(self.y1)))
        object.__setattr__(self, "x0", x0)
        object.__setattr__(self, "x1", x1)
        object.__setattr__(self, "y0", y0)
        object.__setattr__(self, "y1", y1)

    def to_geometry(self) -> dict:
        return {"xyxy": [self.x0, self.y0, self.x1, self.y1]}

    def bbox(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1 - self.x0, self.y1 - self.y0)

    def area(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    kind = "polygon"

    def __post_init__(self):
        pts = _xy_list(self.points, "points")
        if len(pts) < 3:
            raise InputError(f"a polygon needs at least 3 points, got {len(pts)}", field="points")
        object.__setattr__(self, "points", pts)

    def to_geometry(self) -> dict:
        return {"points": [list(p) for p in self.points]}

    def bbox(self) -> tuple[float, float, float, float]:
        return _bbox_of(self.points)

    def area(self) -> float:
        a = np.asarray(self.points)
        x, y = a[:, 0], a[:, 1]
        return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


@dataclass(frozen=True)
class Mask:
    """A binary mask as COCO run-length encoding: ``size`` is (height, width), ``counts`` the compressed string."""

    size: tuple[int, int]
    counts: str
    kind = "mask"

    @classmethod
    def from_array(cls, array: np.ndarray) -> "Mask":
        if array.ndim != 2:
            raise InputError(f"a mask must be a 2-D array, got shape {array.shape}")
        return cls(size=(int(array.shape[0]), int(array.shape[1])), counts=rle.encode(array))

    def rle(self) -> dict:
        """The pycocotools form (counts as bytes)."""
        return {"size": [self.size[0], self.size[1]], "counts": self.counts.encode("ascii")}

    def to_array(self) -> np.ndarray:
        return coco_mask.decode(self.rle()).astype(bool)

    def to_geometry(self) -> dict:
        return {"size": [self.size[0], self.size[1]], "counts": self.counts}

    def bbox(self) -> tuple[float, float, float, float]:
        return tuple(float(v) for v in coco_mask.toBbox(self.rle()))

    def area(self) -> float:
        return float(coco_mask.area(self.rle()))


@dataclass(frozen=True)
class Points:
    """Clicked points; ``labels`` are 1 for a positive and 0 for a negative point (the SAM convention)."""

    points: tuple[tuple[float, float], ...]
    labels: tuple[int, ...] = ()
    kind = "points"

    def __post_init__(self):
        pts = _xy_list(self.points, "points")
        labels = tuple(int(v) for v in self.labels) if self.labels else (1,) * len(pts)
        if len(labels) != len(pts):
            raise InputError(f"{len(pts)} points but {len(labels)} labels", field="labels")
        if any(v not in (0, 1) for v in labels):
            raise InputError(f"labels must be 0 or 1, got {list(labels)}", field="labels")
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "labels", labels)

    def to_geometry(self) -> dict:
        return {"points": [list(p) for p in self.points], "labels": list(self.labels)}

    def bbox(self) -> tuple[float, float, float, float]:
        return _bbox_of(self.points)

    def area(self) -> float:
        return 0.0


@dataclass(frozen=True)
class Keypoints:
    """Named landmarks with COCO visibility (0 not labelled, 1 labelled but hidden, 2 visible)."""

    points: tuple[tuple[float, float, int], ...]
    names: tuple[str, ...] = ()
    kind = "keypoints"

    def __post_init__(self):
        pts = tuple((x, y, int(v)) for x, y, v in _xy_list(self.points, "points", width=3))
        if any(v not in (0, 1, 2) for _, _, v in pts):
            raise InputError("visibility must be 0, 1 or 2", field="points")
        names = tuple(str(n) for n in self.names)
        if names and len(names) != len(pts):
            raise InputError(f"{len(pts)} keypoints but {len(names)} names", field="names")
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "names", names)

    def to_geometry(self) -> dict:
        return {"points": [list(p) for p in self.points], "names": list(self.names)}

    def bbox(self) -> tuple[float, float, float, float]:
        return _bbox_of([p[:2] for p in self.points if p[2] > 0] or [(0.0, 0.0)])

    def area(self) -> float:
        return 0.0


@dataclass(frozen=True)
class Tag:
    """A label on the whole image or frame, with no geometry."""

    kind = "tag"

    def to_geometry(self) -> dict:
        return {}

    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, 0.0, 0.0)

    def area(self) -> float:
        return 0.0


Shape = Union[Box, Polygon, Mask, Points, Keypoints, Tag]


def shape_from_geometry(kind: str, geometry: dict) -> Shape:
    """Rebuild a shape from its stored geometry, naming the field that is wrong."""
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}, expected one of {', '.join(KINDS)}", field="kind")
    if not isinstance(geometry, dict):
        raise InputError(f"expected an object, got {type(geometry).__name__}", field="geometry")
    try:
        if kind == "box":
            xyxy = geometry["xyxy"]
            if not isinstance(xyxy, (list, tuple)) or len(xyxy) != 4:
                raise InputError(f"expected [x0, y0, x1, y1], got {xyxy!r}", field="geometry.xyxy")
            return Box(*(float(v) for v in xyxy))
        if kind == "polygon":
            return Polygon(geometry["points"])
        if kind == "mask":
            size, counts = geometry["size"], geometry["counts"]
            if not (isinstance(size, (list, tuple)) and len(size) == 2) or not isinstance(counts, str):
                raise InputError("expected {'size': [h, w], 'counts': str}", field="geometry")
            return Mask(size=(int(size[0]), int(size[1])), counts=counts)
        if kind == "points":
            return Points(geometry["points"], tuple(geometry.get("labels") or ()))
        if kind == "keypoints":
            return Keypoints(geometry["points"], tuple(geometry.get("names") or ()))
        return Tag()
    except KeyError as e:
        raise InputError(f"missing {e.args[0]!r} for a {kind}", field="geometry") from None
    except (TypeError, ValueError) as e:
        raise InputError(f"bad {kind} geometry: {e}", field="geometry") from None
