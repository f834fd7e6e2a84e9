"""COCO detection/segmentation JSON from a project's records.

Every annotation written has a ``bbox``, an ``area`` and a ``segmentation`` that pycocotools decodes
(``annToMask``, COCOeval "segm"): masks as COCO RLE, polygons as flat coordinate lists, boxes as their four-corner
polygon. Named landmarks (keypoints) are COCO keypoint annotations: their label's category lists the landmark
names (``keypoints``, with an empty ``skeleton``) and every annotation of that category carries ``keypoints``
and ``num_keypoints`` (zeros for its boxes or masks), as COCO's person category does. Loose points (the point
tool's clicks) have no COCO form and are left out, counted, as are tags (whole-image labels), segmentation
prompts (the clicks behind a mask, which are not labels) and landmarks whose label mixes different landmark
sets (COCO needs one list of names per category).

A video becomes one image entry per annotated frame, named ``<video stem>_m<media id>/<frame:06d>.jpg`` (under
the folder the exporter chooses) and carrying ``media_id`` and ``frame`` so the frame can be found again. A photo
that the exporter writes upright (its EXIF orientation applied) is named ``<photo stem>_m<media id>.png`` there.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath
from typing import Callable, Iterable

from annotation.model import ROLE_PROMPT, Annotation, Label, MediaItem
from annotation.shapes import Keypoints, Mask, Points, Polygon

UNLABELED = "unlabelled"  # as the window and `tracks list` name them


def frame_file_name(item: MediaItem, frame: int) -> str:
    """A video frame's image, one folder per video: the media id keeps two videos called clip.mp4 apart."""
    return f"{PurePosixPath(item.path).stem}_m{item.id}/{frame:06d}.jpg"


def upright_file_name(item: MediaItem) -> str:
    """A turned photo's upright copy: the media id keeps two photos called IMG_0001.jpg apart."""
    return f"{PurePosixPath(item.path).stem}_m{item.id}.png"


def default_file_name(item: MediaItem, frame: int | None) -> str:
    return item.path if frame is None else frame_file_name(item, frame)


def _segmentation(shape, bbox) -> list | dict:
    if isinstance(shape, Mask):
        return shape.to_geometry()
    if isinstance(shape, Polygon):
        return [[c for p in shape.points for c in p]]
    x, y, w, h = bbox  # a box (or the landmarks' box) as the polygon of its four corners
    return [[x, y, x + w, y, x + w, y + h, x, y + h]]


def _landmarks(shape: Keypoints) -> tuple[tuple[str, ...], list[float]]:
    names = shape.names or tuple(str(i + 1) for i in range(len(shape.points)))
    flat = [c for x, y, v in shape.points for c in ((x, y, v) if v > 0 else (0, 0, 0))]
    return names, flat


def build_coco(media: Iterable[MediaItem], labels: Iterable[Label], annotations: Iterable[Annotation],
               description: str = "FaceLens export",
               file_name: Callable[[MediaItem, int | None], str] = default_file_name) -> tuple[dict, dict]:
    """The COCO dict and a report of what was left out (``{"tags": n, "points": n, ...}``). ``file_name(item,
    frame)`` names each image entry (frame None for a still image); it is called once per image written."""
    media = {m.id: m for m in media}
    labels = list(labels)
    categories = {l.id: {"id": l.id, "name": l.name, "supercategory": l.taxonomy} for l in labels}
    unlabeled_id = max(categories, default=0) + 1
    left_out = defaultdict(int)
    kept: list[tuple[tuple[int, int | None], dict, tuple[str, ...] | None]] = []
    for a in annotations:
        if a.kind == "tag":
            left_out["tags"] += 1
            continue
        if a.attributes.get("role") == ROLE_PROMPT:
            left_out["prompts"] += 1
            continue
        if isinstance(a.shape, Points):
            left_out["points"] += 1
            continue
        item = media[a.media_id]
        x, y, w, h = a.shape.bbox()
        entry = {"category_id": a.label_id if a.label_id in categories else unlabeled_id,
                 "bbox": [x, y, w, h], "area": a.shape.area() or w * h, "iscrowd": 0,
                 "segmentation": _segmentation(a.shape, (x, y, w, h)), "facelens_id": a.id, "source": a.source}
        if a.score is not None:
            entry["score"] = a.score
        if a.track_id is not None:
            entry["track_id"] = a.track_id
        names = None
        if isinstance(a.shape, Keypoints):
            names, entry["keypoints"] = _landmarks(a.shape)
            entry["num_keypoints"] = sum(1 for p in a.shape.points if p[2] > 0)
        kept.append(((a.media_id, a.frame if item.is_video else None), entry, names))

    landmark_sets: dict[int, set] = defaultdict(set)
    for _, entry, names in kept:
        if names is not None:
            landmark_sets[entry["category_id"]].add(names)
    mixed = {c for c, sets in landmark_sets.items() if len(sets) > 1}
    if mixed:
        left_out["keypoints (mixed landmark sets in a label)"] += sum(
            1 for _, e, n in kept if n is not None and e["category_id"] in mixed)
        kept = [k for k in kept if not (k[2] is not None and k[1]["category_id"] in mixed)]
    if any(e["category_id"] == unlabeled_id for _, e, _ in kept):
        # (a label of the user's may be called so too: tools that map categories by name must tell them apart)
        name = UNLABELED if all(c["name"] != UNLABELED for c in categories.values()) else f"{UNLABELED} (no label)"
        categories[unlabeled_id] = {"id": unlabeled_id, "name": name, "supercategory": ""}
    for c, sets in landmark_sets.items():
        if c not in mixed and c in categories:
            (names,) = sets
            categories[c].update(keypoints=list(names), skeleton=[])

    # Images in media and frame order (the annotations' own order put a frame corrected later after the frames
    # tracked after it); each image's annotations together, in the order they were made.
    kept.sort(key=lambda k: (k[0][0], -1 if k[0][1] is None else k[0][1]))
    images: dict[tuple[int, int | None], dict] = {}
    out = []
    for key, entry, _ in kept:
        if key not in images:
            item = media[key[0]]
            images[key] = {"id": len(images) + 1, "file_name": file_name(item, key[1]), "width": item.width,
                           "height": item.height, "media_id": item.id, "frame": key[1], "media_path": item.path,
                           "sha256": item.sha256}
        category = categories[entry["category_id"]]
        if "keypoints" in category and "keypoints" not in entry:  # a box or mask of a landmark category
            entry["keypoints"], entry["num_keypoints"] = [0] * (3 * len(category["keypoints"])), 0
        out.append({"id": len(out) + 1, "image_id": images[key]["id"], **entry})
    coco = {"info": {"description": description}, "licenses": [],
            "images": list(images.values()), "annotations": out, "categories": list(categories.values())}
    return coco, dict(left_out)
