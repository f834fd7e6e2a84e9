"""Writing exports atomically (temp file, then rename) and logging them in the audit chain."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from annotation.coco import build_coco
from storage.emotion_export import export_eaf, export_emotion_csv, export_emotion_dataset

if TYPE_CHECKING:
    from storage.project import Project


def write_atomic(path: Path, data: bytes) -> str:
    """Write ``data`` so that ``path`` is either the old file or the whole new one; returns its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as f:
        f.write(data)
    tmp.replace(path)
    return hashlib.sha256(data).hexdigest()


def export_coco(project: "Project", out: str | Path) -> dict:
    out = Path(out)
    labels = [l for l in project.labels.all()]
    coco, left_out = build_coco(project.media.all(), labels, project.annotations.iter_all())
    sha = write_atomic(out, json.dumps(coco).encode("utf-8"))
    result = {"path": str(out), "format": "coco", "images": len(coco["images"]),
              "annotations": len(coco["annotations"]), "left_out": left_out, "sha256": sha}
    project.audit.append("export", f"file:{out.name}", result)
    return result


def describe_export(result: dict) -> list[str]:
    """What an export wrote, in lines for the CLI and the window's status bar: the counts and what the format
    could not hold."""
    fmt = result["format"]
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.items()
                       if isinstance(v, int) and not isinstance(v, bool))
    lines = [f"wrote {result['path']} ({fmt}{': ' + counts if counts else ''})"]
    if result.get("left_out"):
        what = ", ".join(f"{n} {kind}" for kind, n in sorted(result["left_out"].items()))
        lines.append(f"left out (no {fmt} form): {what}")
    return lines


# Export formats by name, as `main.py export --format NAME` and the window's File > Export offer them. Each
# writes `out` and returns a JSON-able summary (with at least "path", and "left_out": {what: count} for records
# the format cannot hold) after logging the export in the audit chain.
EXPORTERS = {
    "coco": export_coco,
    "eaf": export_eaf,
    "emotion-csv": export_emotion_csv,
    "emotion-dataset": export_emotion_dataset,
}
