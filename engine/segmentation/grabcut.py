"""The segmenter that needs no weights: OpenCV's GrabCut, seeded by the same clicks and box as SAM 2.

A box says "the object is inside, everything outside is background"; a positive click marks sure foreground
around it and likely foreground further out, a negative click sure background. GrabCut then fits colour
models to both and cuts along the edges. The work is done on a crop around the prompt, scaled down to at most
``WORK_SIZE`` pixels a side, so a click on a 4K frame answers as quickly as one on a thumbnail.
"""
from __future__ import annotations

import cv2
import numpy as np

from engine.segmentation.prompt import Prompt, SegmentResult

WORK_SIZE = 320
ITERATIONS = 5
SMALL_SHARE = 0.002  # of the picture: a mask from clicks this small is said to be, with what helps


def small_blob_hint(pixels: int, picture_pixels: int, prompt: Prompt, how_to_box: str) -> str | None:
    """What to do instead when clicks without a box found only a blob: a click on an object of many shades
    (clothing, say) gives GrabCut a few hundred pixels, since it learns colours; a box gives the object."""
    if prompt.box is not None or pixels == 0 or pixels >= SMALL_SHARE * picture_pixels:
        return None
    return (f"GrabCut found only {pixels} pixels around the click: for a larger object of many shades, "
            f"draw a box around it ({how_to_box})")


class GrabCutSegmenter:
    kind = "grabcut"
    name = "grabcut"

    def __init__(self, reason: str = ""):
        self.reason = reason  # why SAM 2 is not used (the missing checkpoint), shown by the window and CLI

    def describe(self) -> str:
        return "GrabCut (OpenCV, no SAM 2 weights)"

    def segment(self, media_sha256: str, frame: int | None, image, prompt: Prompt) -> SegmentResult:
        """``image``: RGB uint8, or a function that loads it."""
        image = image() if callable(image) else image
        height, width = image.shape[:2]
        prompt.validate(width, height)
        x0, y0, x1, y1 = _region(prompt, image)
        scale = min(1.0, WORK_SIZE / max(x1 - x0, y1 - y0))
        crop = image[y0:y1, x0:x1]
        small = cv2.resize(crop, (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale))),
                           interpolation=cv2.INTER_AREA) if scale < 1 else crop.copy()
        inner = (x0 > 0, y0 > 0, x1 < width, y1 < height)  # the crop's edges inside the picture
        seeds = _seeds(prompt, small, (x0, y0), scale, inner)
        fg = _cut(np.ascontiguousarray(small), seeds)
        fg = _keep_prompted_parts(fg, prompt, (x0, y0), scale)
        mask = np.zeros((height, width), bool)
        mask[y0:y1, x0:x1] = cv2.resize(fg.astype(np.uint8), (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR) > 0
        if prompt.box is not None:  # nothing outside the box, whatever the upscaling did
            bx0, by0, bx1, by1 = (int(round(v)) for v in prompt.box)
            outside = np.ones_like(mask)
            outside[by0:by1, bx0:bx1] = False
            mask[outside] = False
        return SegmentResult(mask=mask, score=None, segmenter=self.name, candidates=[(mask, 1.0)])


def _region(prompt: Prompt, image: np.ndarray) -> tuple[int, int, int, int]:
    """The crop to work on: the box with a margin; around clicks, the smallest of a few growing crops (then the
    whole picture) none of whose edges inside the picture crosses the clicked colour for a quarter of its
    length. GrabCut takes those edges for background: an edge across the object (a click inside a large even
    region, a banner, off its centre) cut it there, or left only a blob around the click."""
    height, width = image.shape[:2]
    if prompt.box is not None:
        x0, y0, x1, y1 = prompt.box
        mx, my = 0.15 * (x1 - x0) + 4, 0.15 * (y1 - y0) + 4
        return _clipped(x0 - mx, y0 - my, x1 + mx, y1 + my, width, height)
    pts = np.asarray([p for p, l in zip(prompt.points, prompt.labels) if l == 1] or prompt.points)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    clicked = _clicked_colours(image, pts)
    for share in CROP_SHARES:  # the crop has the image's shape: a wide one for a wide image
        mx, my = share * width + 0.5 * (x1 - x0), share * height + 0.5 * (y1 - y0)
        region = _clipped(x0 - mx, y0 - my, x1 + mx, y1 + my, width, height)
        if not _crosses_the_object(image, region, clicked):
            return region
    return 0, 0, width, height


CROP_SHARES = (0.3, 0.6)  # of the image's width and height on each side of the clicks; then the whole image
_LIKE = 30.0  # RGB distance under which a pixel counts as the clicked colour


def _clipped(x0, y0, x1, y1, width: int, height: int) -> tuple[int, int, int, int]:
    return max(0, int(x0)), max(0, int(y0)), min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1)))


def _clicked_colours(image: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """The median colour of a few pixels around each click, (N, 3)."""
    height, width = image.shape[:2]
    out = []
    for x, y in pts:
        x, y = min(width - 1, max(0, int(x))), min(height - 1, max(0, int(y)))
        patch = image[max(0, y - 2):y + 3, max(0, x - 2):x + 3].reshape(-1, image.shape[2])
        out.append(np.median(patch, axis=0))
    return np.asarray(out, np.float32)


def _crosses_the_object(image: np.ndarray, region: tuple[int, int, int, int], clicked: np.ndarray) -> bool:
    """Whether an edge of the region inside the picture has the clicked colour for a quarter of its length or
    more (the object goes on past it). Edges on the picture's border do not count: nothing lies past them."""
    height, width = image.shape[:2]
    x0, y0, x1, y1 = region
    edges = [image[y0:y1, x0] if x0 > 0 else None, image[y0:y1, x1 - 1] if x1 < width else None,
             image[y0, x0:x1] if y0 > 0 else None, image[y1 - 1, x0:x1] if y1 < height else None]
    for edge in edges:
        if edge is None or len(edge) == 0:
            continue
        edge = edge.astype(np.float32)
        distance = np.linalg.norm(edge[:, None, :3] - clicked[None, :, :3], axis=2).min(axis=1)
        if float((distance < _LIKE).mean()) >= 0.25:
            return True
    return False


def _seeds(prompt: Prompt, small: np.ndarray, origin: tuple[int, int], scale: float,
           inner: tuple[bool, bool, bool, bool]) -> np.ndarray:
    """GrabCut's starting labels on the scaled crop ``small``. ``inner``: whether the crop's left, top, right and
    bottom edges lie inside the picture."""
    h, w = small.shape[:2]
    ox, oy = origin
    seeds = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    if prompt.box is not None:
        bx0, by0, bx1, by1 = ((v - o) * scale for v, o in zip(prompt.box, (ox, oy, ox, oy)))
        seeds[:] = cv2.GC_BGD
        seeds[max(0, int(by0)):int(np.ceil(by1)), max(0, int(bx0)):int(np.ceil(bx1))] = cv2.GC_PR_FGD
    else:  # the crop's edges inside the picture are taken for background; on its border, an object may touch it
        left, top, right, bottom = inner
        for edge, where in ((left, np.s_[:, 0]), (top, np.s_[0, :]), (right, np.s_[:, -1]), (bottom, np.s_[-1, :])):
            if edge:
                seeds[where] = cv2.GC_BGD
    sure = max(2, int(0.03 * max(h, w)))
    likely = int(0.18 * max(h, w))
    for (x, y), label in zip(prompt.points, prompt.labels):
        c = (int((x - ox) * scale), int((y - oy) * scale))
        if label != 1:
            cv2.circle(seeds, c, sure, int(cv2.GC_BGD), -1)
        elif prompt.box is not None:
            cv2.circle(seeds, c, sure, int(cv2.GC_FGD), -1)
        else:  # likely and sure foreground: what looks like the clicked spot around it (a disc of it all took in
            # the background beside a thin part, which the colour model then learnt as the object's)
            clicked = _clicked_colours(small, np.asarray([c]))[0]
            distance = np.linalg.norm(small[..., :3].astype(np.float32) - clicked[:3], axis=2)
            seeds[_disc((h, w), c, likely) & (distance < 2 * _LIKE) & (seeds == cv2.GC_PR_BGD)] = cv2.GC_PR_FGD
            seeds[_disc((h, w), c, sure) & (distance < _LIKE)] = cv2.GC_FGD
            cv2.circle(seeds, c, 1, int(cv2.GC_FGD), -1)  # the clicked pixel itself, whatever its neighbours
    return seeds


def _disc(shape: tuple[int, int], centre: tuple[int, int], radius: int) -> np.ndarray:
    disc = np.zeros(shape, np.uint8)
    cv2.circle(disc, centre, radius, 1, -1)
    return disc > 0


def _cut(image: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    fg_seeded = np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD)).any()
    bg_seeded = np.isin(seeds, (cv2.GC_BGD, cv2.GC_PR_BGD)).any()
    if not (fg_seeded and bg_seeded):  # GrabCut needs both colour models; the prompt covers everything
        return np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD))
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    mask = seeds.copy()
    cv2.setRNGSeed(0)  # its colour models start from k-means: the same click, the same mask, whatever ran before
    cv2.grabCut(image, mask, None, bgd, fgd, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    return np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD))


def _keep_prompted_parts(fg: np.ndarray, prompt: Prompt, origin: tuple[int, int], scale: float) -> np.ndarray:
    """Keep the connected parts under a positive click (or, with only a box, the largest part)."""
    count, labels = cv2.connectedComponents(fg.astype(np.uint8), connectivity=8)
    if count <= 2:
        return fg
    ox, oy = origin
    keep = set()
    for (x, y), label in zip(prompt.points, prompt.labels):
        if label == 1:
            yy = min(labels.shape[0] - 1, max(0, int((y - oy) * scale)))
            xx = min(labels.shape[1] - 1, max(0, int((x - ox) * scale)))
            if labels[yy, xx]:
                keep.add(int(labels[yy, xx]))
    if not keep:
        sizes = np.bincount(labels.ravel())
        sizes[0] = 0
        keep = {int(sizes.argmax())}
    return np.isin(labels, list(keep))
