"""What a project holds, as the CLI's ``info --json`` prints it and the window's title and status show it."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.project import Project


def project_summary(project: "Project") -> dict:
    return {
        "schema_version": project.schema_version(),
        "media": [{"id": m.id, "path": m.path, "kind": m.kind, "sha256": m.sha256, "width": m.width,
                   "height": m.height, "frames": m.frame_count if m.is_video else 1, "fps": m.fps,
                   "size_bytes": m.size_bytes, "rotation": m.rotation}
                  for m in project.media.all()],
        "annotations": project.annotations.count(),
        "tracks": project.tracks.count(),
        "segments": project.segments.count(),
        "read_only": project.read_only or None,  # why it was read where it lies (read-only media, a full disk)
    }
