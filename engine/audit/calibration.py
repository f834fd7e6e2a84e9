"""Where the confidence step learns what the model knows: the calibration split of the same run (dev by
default), or another run whose labelled features come from the same model."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from annotation.errors import FaceLensError
from engine.audit.confidence import DEFAULT_REJECT, ConfidenceResult, analyse, fit_bank
from engine.audit.samples import frame_samples
from engine.audit.thresholds import choose_threshold

if TYPE_CHECKING:
    from storage.project import Project


def _features(project: "Project", run_id: int) -> np.ndarray:
    project.detectors.run(run_id)  # a run that does not exist is named as such
    feats = project.detectors.features(run_id)
    if feats is None:
        raise FaceLensError(f"run {run_id} has no feature vectors (import them with --features FILE.npy)")
    return feats


def run_confidence(project: "Project", run_id: int, calibration_split: str = "dev",
                   calibration_run: int | None = None, reject: float = DEFAULT_REJECT,
                   threshold: float | None = None) -> ConfidenceResult:
    table, feats = project.detectors.results(run_id), _features(project, run_id)
    if calibration_run is None or calibration_run == run_id:
        cal_rows = table.split == calibration_split
        if not cal_rows.any():
            raise FaceLensError(f"run {run_id} has no rows in the {calibration_split} split to calibrate on "
                                "(give a split that has labelled rows, or --calibration-run)")
        cal_table, cal_feats, evaluated = table.take(cal_rows), feats[cal_rows], ~cal_rows
    else:
        cal_table, cal_feats = project.detectors.results(calibration_run), _features(project, calibration_run)
        if cal_feats.shape[1] != feats.shape[1]:
            raise FaceLensError(f"run {calibration_run} has {cal_feats.shape[1]}-dimensional features and run {run_id} "
                                f"{feats.shape[1]}-dimensional ones: they do not come from the same model")
        if (cal_table.split == calibration_split).any():
            keep = cal_table.split == calibration_split
            cal_table, cal_feats = cal_table.take(keep), cal_feats[keep]
        evaluated = np.ones(len(table), bool)
    if not evaluated.any():
        raise FaceLensError(f"every row of run {run_id} is in the calibration split: nothing left to assess")
    bank = fit_bank(cal_feats, cal_table.label, cal_table.attack_type)
    op = threshold if threshold is not None else choose_threshold(frame_samples(cal_table)).threshold
    ev = table.take(evaluated)
    return analyse(feats[evaluated], ev.id, ev.score, ev.label.astype(np.int8), bank, op, reject)
