"""CA-FAS-style confidence: an attack type the calibration set never showed is flagged, the known ones are not."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.covariance import LedoitWolf

from annotation.errors import FaceLensError
from engine.audit.calibration import run_confidence
from engine.audit.confidence import fit_bank, reject_threshold
from engine.audit.importer import import_scores
from engine.audit.risk import aurc, risk_coverage
from tests.audit_factory import make_dataset


def test_the_unseen_attack_is_flagged_and_the_known_classes_are_not(project, tmp_path):
    # test split: 30 bona fide, 30 print, 30 replay (all known) and 10 mask attacks: 10% of 100 rows
    data = make_dataset(tmp_path / "data", per_class=30, unseen=10)
    run = import_scores(project, data.csv, data.features)
    ids = project.detectors.results(run.run_id).id
    res = run_confidence(project, run.run_id, reject=0.10)
    assert sorted(res.bank.names) == ["bona_fide", "print", "replay"]
    assert sorted(res.flagged) == sorted(int(ids[r]) for r in data.unseen_rows)
    assert len(res.ids) == 100  # the dev rows calibrate, the test rows are assessed
    # the flagged ones sit far from every Gaussian; the known ones near their own
    nearest = dict(zip(res.ids.tolist(), res.nearest))
    test_rows = [i for i, r in enumerate(data.rows) if r["split"] == "test" and r["attack_type"] != "mask"]
    expected = {"": "bona_fide", "print": "print", "replay": "replay"}
    assert all(nearest[int(ids[i])] == expected[data.rows[i]["attack_type"]] for i in test_rows)
    # the mask attacks mostly look live to the model: confidently wrong, which only the features reveal
    assert res.aurc_mahalanobis < res.aurc_score
    # rejecting less flags only the least confident of them; rejecting none flags nothing
    assert set(run_confidence(project, run.run_id, reject=0.05).flagged) < set(res.flagged)
    assert run_confidence(project, run.run_id, reject=0.0).flagged == []


def test_a_calibration_run_of_the_same_model_can_stand_in_for_the_dev_split(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=30, unseen=10)
    cal = import_scores(project, data.csv, data.features)
    run = import_scores(project, data.csv, data.features, allow_duplicate=True)  # the same file, as another run
    res = run_confidence(project, run.run_id, calibration_run=cal.run_id, reject=10 / 190)
    ids = project.detectors.results(run.run_id).id
    assert len(res.ids) == 190 and sorted(res.flagged) == sorted(int(ids[r]) for r in data.unseen_rows)
    bad = np.zeros((190, 3), np.float32)
    np.save(tmp_path / "f3.npy", bad)
    other = import_scores(project, data.csv, tmp_path / "f3.npy")
    with pytest.raises(FaceLensError, match="8-dimensional features and run .* 3-dimensional ones: they do not come "
                                            "from the same model"):
        run_confidence(project, other.run_id, calibration_run=cal.run_id)


def test_mahalanobis_distance_uses_the_shrinkage_covariance():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (50, 4)) @ np.diag([1, 2, 3, 0.5]) + 3
    bank = fit_bank(x, np.zeros(50, np.int8), np.array([None] * 50, dtype=object))
    lw = LedoitWolf().fit(x)
    q = rng.normal(0, 2, (5, 4))
    expected = np.sqrt(lw.mahalanobis(q))
    np.testing.assert_allclose(bank.distances(q)[:, 0], expected, rtol=1e-4)
    assert reject_threshold(np.arange(10.0), 0.2) == 2.0  # the two lowest lie below it


def test_risk_coverage_by_hand():
    conf = np.array([0.9, 0.8, 0.7, 0.6])
    errors = np.array([False, True, False, True])
    coverage, risk = risk_coverage(conf, errors)
    assert coverage.tolist() == [0.25, 0.5, 0.75, 1.0]
    assert risk.tolist() == [0.0, 0.5, 1 / 3, 0.5]
    assert aurc(conf, errors) == pytest.approx((0 + 0.5 + 1 / 3 + 0.5) / 4)
