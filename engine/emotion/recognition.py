"""How well one label source matches a reference (a model against the annotators, one annotator against the
consensus, FER against ER): WAR, the weighted average recall (overall accuracy), and UAR, the unweighted
average recall (mean of the per-class recalls over the classes of the reference)."""
from __future__ import annotations

import math
from typing import Sequence


def war_uar(reference: Sequence, predicted: Sequence) -> dict:
    pairs = [(r, p) for r, p in zip(reference, predicted) if r is not None and p is not None]
    if not pairs:
        return {"war": math.nan, "uar": math.nan, "recall": {}, "support": {}, "units": 0}
    support: dict = {}
    hits: dict = {}
    for r, p in pairs:
        support[r] = support.get(r, 0) + 1
        hits[r] = hits.get(r, 0) + (r == p)
    recall = {c: hits[c] / support[c] for c in sorted(support, key=str)}
    return {"war": sum(hits.values()) / len(pairs), "uar": sum(recall.values()) / len(recall),
            "recall": recall, "support": {c: support[c] for c in recall}, "units": len(pairs)}
