"""COCO detection/segmentation JSON from a project's records.

Masks go out as COCO RLE, polygons as flat coordinate lists, keypoints as [x, y, v, ...]. A video becomes one
image entry per annotated frame, named ``<video stem>/<frame:06d>.jpg`` and carrying ``media_id`` and
``frame`` so the frame can be found again. Tags (whole-image labels) have no COCO form, and segmentation
prompts (the clicks behind a mask) are not labels: both are counted apart.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath
from typing import Iterable

from annotation.model import ROLE_PROMPT, Annotation, Label, MediaItem
from annotation.shapes import Keypoints, Mask, Points, Polygon

UNLABELED = "unlabeled"


def frame_file_name(item: MediaItem, frame: int | None) -> str:
    if frame is None or not item.is_video:
        return item.path
    return f"{PurePosixPath(item.path).stem}/{frame:06d}.jpg"


def build_coco(media: Iterable[MediaItem], labels: Iterable[Label], annotations: Iterable[Annotation],
               description: str = "FaceLens export") -> tuple[dict, dict]:
    """The COCO dict and a report of what was left out (``{"tags": n}``)."""
    media = {m.id: m for m in media}
    labels = list(labels)
    categories = [{"id": l.id, "name": l.name, "supercategory": l.taxonomy} for l in labels]
    known = {l.id for l in labels}
    unlabeled_id = max(known, default=0) + 1
    images: dict[tuple[int, int | None], dict] = {}
    out, left_out = [], defaultdict(int)
    for a in annotations:
        if a.kind == "tag":
            left_out["tags"] += 1
            continue
        if a.attributes.get("role") == ROLE_PROMPT:
            left_out["prompts"] += 1
            continue
        item = media[a.media_id]
        key = (a.media_id, a.frame if item.is_video else None)
        if key not in images:
            images[key] = {"id": len(images) + 1, "file_name": frame_file_name(item, key[1]), "width": item.width,
                           "height": item.height, "media_id": item.id, "frame": key[1], "sha256": item.sha256}
        x, y, w, h = a.shape.bbox()
        entry = {"id": len(out) + 1, "image_id": images[key]["id"],
                 "category_id": a.label_id if a.label_id in known else unlabeled_id,
                 "bbox": [x, y, w, h], "area": a.shape.area() or w * h, "iscrowd": 0,
                 "facelens_id": a.id, "source": a.source}
        if a.score is not None:
            entry["score"] = a.score
        if a.track_id is not None:
            entry["track_id"] = a.track_id
        if isinstance(a.shape, Mask):
            entry["segmentation"] = a.shape.to_geometry()
        elif isinstance(a.shape, Polygon):
            entry["segmentation"] = [[c for p in a.shape.points for c in p]]
        else:
            entry["segmentation"] = []
        if isinstance(a.shape, (Points, Keypoints)):
            pts = a.shape.points if isinstance(a.shape, Keypoints) else [(x, y, 2) for x, y in a.shape.points]
            entry["keypoints"] = [c for p in pts for c in p]
            entry["num_keypoints"] = sum(1 for p in pts if p[2] > 0)
        out.append(entry)
    if any(e["category_id"] == unlabeled_id for e in out):
        categories.append({"id": unlabeled_id, "name": UNLABELED, "supercategory": ""})
    coco = {"info": {"description": description}, "licenses": [],
            "images": list(images.values()), "annotations": out, "categories": categories}
    return coco, dict(left_out)
