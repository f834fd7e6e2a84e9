"""The in-app detector run as an engine batch job: for each media (every ``stride``-th frame of a video), find
the faces, crop them, score them in batches, and store everything as one detector run at the end - a cancelled
job leaves the project unchanged. It yields after every frame, so interactive work goes first."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from annotation.errors import FaceLensError
from engine.audit.runner.faces import FaceFinder, crop
from engine.audit.runner.models import load_detector
from engine.audit.runner.spec import DetectorSettings, ModelSpec
from storage.media.hashing import sha256_file
from storage.media.library import open_video, read_image

if TYPE_CHECKING:
    from engine.worker import JobContext
    from storage.project import Project


def _frames(project: "Project", item, stride: int):
    """(frame index or None for an image, RGB) of one media."""
    if not item.is_video:
        yield None, read_image(project, item)
        return
    with open_video(project, item, threads=False) as reader:
        for n in range(0, reader.frame_count, stride):
            yield n, reader.read(n)


def detector_job(project: "Project", spec: ModelSpec, media_ids: list[int] | None = None,
                 settings: DetectorSettings | None = None):
    """A generator job for ``Engine.submit``; its value is ``{"run_id", "rows", "media"}``."""
    settings = settings or DetectorSettings()
    if settings.stride < 1 or settings.batch_size < 1:
        raise FaceLensError("stride and batch size must be 1 or more")

    def job(ctx: "JobContext"):
        items = project.media.all() if not media_ids else [project.media.get(i) for i in media_ids]
        missing = [i for i, m in zip(media_ids or [], items) if m is None]
        if missing:
            raise FaceLensError(f"no media with id {missing[0]} in the project")
        if not items:
            raise FaceLensError("the project has no media to run the detector on")
        total = sum(-(-(m.frame_count or 1) // settings.stride) if m.is_video else 1 for m in items)
        detector = load_detector(spec)  # on the engine thread, which owns the accelerator
        finder = FaceFinder(settings.margin, settings.min_confidence, settings.full_range)
        results, feats, crops, pending = [], [], [], []

        def flush():
            if not crops:
                return
            scores, f = detector(np.stack(crops))
            for meta, s in zip(pending, scores):
                results.append({**meta, "row": len(results), "score": float(s)})
            if f is not None:
                feats.append(f)
            crops.clear()
            pending.clear()

        try:
            done = 0
            for item in items:
                for n, rgb in _frames(project, item, settings.stride):
                    for k, face in enumerate(finder.find(rgb)):
                        crops.append(crop(rgb, face.box, spec.input_size))
                        pending.append({"media_id": item.id, "frame": n, "face": k, "label": None,
                                        "attack_type": None, "split": None, "box": f"[{','.join(map(str, face.box))}]"})
                        if len(crops) >= settings.batch_size:
                            flush()
                    done += 1
                    ctx.progress(done, total, f"scoring faces in {item.name}")
                    yield
            flush()
        finally:
            finder.close()
        if not results:
            raise FaceLensError("no face was found in the chosen media (try a lower --min-confidence or full range)")
        features = np.concatenate(feats) if feats and sum(len(f) for f in feats) == len(results) else None
        run_id = project.detectors.add_run(
            model=settings.model_name or Path(spec.path).stem, version=settings.version,
            params={**spec.to_json(),
                    **{k: v for k, v in asdict(settings).items() if k not in ("model_name", "version")},
                    "device": str(detector.device)},
            source=str(Path(spec.path).resolve()), source_sha256=sha256_file(spec.path), results=results,
            features=features)
        return {"run_id": run_id, "rows": len(results), "media": len({r["media_id"] for r in results})}

    return job
