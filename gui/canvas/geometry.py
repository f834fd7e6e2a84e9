"""Editing a shape's geometry by hand: its drag handles, moving one handle, moving the whole shape.

One entry per kind in ``EDITS``; a kind without an entry (a mask, a tag) cannot be dragged.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from annotation.shapes import Box, Keypoints, Points, Polygon, Shape

XY = tuple[float, float]


@dataclass(frozen=True)
class ShapeEdit:
    handles: Callable[[Shape], list[XY]]
    move_handle: Callable[[Shape, int, float, float], Shape]
    translate: Callable[[Shape, float, float], Shape]


def _box_handles(b: Box) -> list[XY]:
    return [(b.x0, b.y0), (b.x1, b.y0), (b.x1, b.y1), (b.x0, b.y1)]


def _box_move(b: Box, i: int, x: float, y: float) -> Box:
    ox, oy = _box_handles(b)[(i + 2) % 4]  # the opposite corner stays put
    return Box(ox, oy, x, y)


def _replace_point(points, i, xy):
    return tuple(xy if j == i else p for j, p in enumerate(points))


EDITS: dict[str, ShapeEdit] = {
    "box": ShapeEdit(_box_handles, _box_move,
                     lambda b, dx, dy: Box(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy)),
    "polygon": ShapeEdit(lambda p: list(p.points),
                         lambda p, i, x, y: Polygon(_replace_point(p.points, i, (x, y))),
                         lambda p, dx, dy: Polygon(tuple((x + dx, y + dy) for x, y in p.points))),
    "points": ShapeEdit(lambda p: list(p.points),
                        lambda p, i, x, y: Points(_replace_point(p.points, i, (x, y)), p.labels),
                        lambda p, dx, dy: Points(tuple((x + dx, y + dy) for x, y in p.points), p.labels)),
    "keypoints": ShapeEdit(lambda k: [(x, y) for x, y, v in k.points if v > 0],
                           lambda k, i, x, y: Keypoints(_replace_visible(k.points, i, x, y), k.names),
                           lambda k, dx, dy: Keypoints(tuple((x + dx, y + dy, v) for x, y, v in k.points), k.names)),
}


def _replace_visible(points, i, x, y):
    visible = [j for j, p in enumerate(points) if p[2] > 0]
    target = visible[i]
    return tuple((x, y, p[2]) if j == target else p for j, p in enumerate(points))


def editable(shape: Shape) -> bool:
    return shape.kind in EDITS


def handles(shape: Shape) -> list[XY]:
    edit = EDITS.get(shape.kind)
    return edit.handles(shape) if edit else []


def move_handle(shape: Shape, i: int, x: float, y: float) -> Shape:
    return EDITS[shape.kind].move_handle(shape, i, x, y)


def translate(shape: Shape, dx: float, dy: float) -> Shape:
    return EDITS[shape.kind].translate(shape, dx, dy)
