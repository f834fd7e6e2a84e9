"""Detection and PAD metrics: against scikit-learn on the same arrays, and hand-worked ISO/IEC 30107-3 examples."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, average_precision_score, roc_auc_score, roc_curve

from annotation.errors import FaceLensError
from engine.audit.bootstrap import bootstrap_ci
from engine.audit.evaluate import evaluate
from engine.audit.metrics import accuracy, auc, average_precision, eer, roc
from engine.audit.pad import bpcer_at_apcer, pad_metrics
from engine.audit.samples import Samples, video_samples
from engine.audit.thresholds import choose_threshold
from storage.detector_repo import ResultTable


def _arrays(seed: int, n: int = 400, decimals: int = 2):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1).round(decimals)  # rounding makes ties
    return score, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_roc_auc_ap_and_eer_agree_with_scikit_learn(seed):
    score, y = _arrays(seed)
    assert auc(score, y) == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    assert average_precision(score, y) == pytest.approx(average_precision_score(y, score), abs=1e-12)
    fpr, tpr, thr = roc_curve(y, score, drop_intermediate=False)
    ours = roc(score, y)
    np.testing.assert_allclose(ours.fpr, fpr)
    np.testing.assert_allclose(ours.tpr, tpr)
    np.testing.assert_allclose(ours.thresholds[1:], thr[1:])
    fnr = 1 - tpr
    i = np.nanargmin(np.abs(fnr - fpr))
    e, t = eer(score, y)
    assert e == pytest.approx((fnr[i] + fpr[i]) / 2)
    # every threshold above the next lower score up to thr[i] gives those rates: ours is the middle, not the edge
    assert t == pytest.approx((thr[i] + thr[i + 1]) / 2)
    for threshold in (0.3, 0.5, 0.51):
        assert accuracy(score, y, threshold) == pytest.approx(accuracy_score(y, score >= threshold))


# Hand-worked: 4 bona fide, and print (3), replay (4) and mask (2) attacks.
BONA = [0.1, 0.2, 0.3, 0.6]
ATTACKS = {"print": [0.7, 0.8, 0.4], "replay": [0.9, 0.55, 0.45, 0.35], "mask": [0.95, 0.85]}


def _hand():
    score = np.array(BONA + [s for v in ATTACKS.values() for s in v])
    y = np.array([0] * len(BONA) + [1] * 9)
    types = np.array([None] * len(BONA) + [k for k, v in ATTACKS.items() for _ in v], dtype=object)
    return score, y, types


def test_pad_metrics_by_hand_at_one_half():
    m = pad_metrics(*_hand(), threshold=0.5)
    assert m.apcer == {"mask": 0.0, "print": pytest.approx(1 / 3), "replay": 0.5}  # 0.4 | 0.45, 0.35 missed
    assert m.apcer_max == 0.5
    assert m.bpcer == 0.25  # 0.6 called an attack
    assert m.acer == pytest.approx((0.5 + 0.25) / 2)
    assert m.apcer_pooled == pytest.approx(3 / 9)
    assert m.hter == pytest.approx((3 / 9 + 0.25) / 2)


def test_a_score_equal_to_the_threshold_is_an_attack():
    m = pad_metrics(*_hand(), threshold=0.6)
    assert m.bpcer == 0.25  # the bona fide 0.6 is called an attack
    assert m.apcer["replay"] == 0.75  # 0.55, 0.45, 0.35
    assert m.acer == pytest.approx(0.5)
    m = pad_metrics(*_hand(), threshold=0.55)
    assert m.apcer["replay"] == 0.5  # 0.55 is caught


def test_bpcer_at_apcer_takes_the_highest_threshold_that_keeps_every_type_within_the_target():
    bona = [0.1, 0.2, 0.3, 0.42, 0.6]
    attacks = [0.15, 0.40, 0.43, 0.46, 0.49, 0.52, 0.55, 0.58, 0.61, 0.64, 0.67, 0.70, 0.73, 0.76, 0.79, 0.82,
               0.85, 0.88, 0.91, 0.94]  # 20 of one type: 5% allows one miss, 10% two
    score = np.array(bona + attacks)
    y = np.array([0] * 5 + [1] * 20)
    types = np.array([None] * 5 + ["print"] * 20, dtype=object)
    assert bpcer_at_apcer(score, y, types, 0.05) == pytest.approx(2 / 5)  # threshold 0.40: 0.42 and 0.6 rejected
    assert bpcer_at_apcer(score, y, types, 0.10) == pytest.approx(1 / 5)  # threshold 0.43: only 0.6
    # a second type with 2 samples can miss none: the threshold falls to its lower score
    score2 = np.r_[score, [0.41, 0.9]]
    types2 = np.r_[types, ["mask", "mask"]].astype(object)
    assert bpcer_at_apcer(score2, np.r_[y, [1, 1]], types2, 0.10) == pytest.approx(2 / 5)


def _table(rows):
    """rows: (media, frame, score, label 0/1, type, split)."""
    n = len(rows)
    col = list(zip(*rows))
    return ResultTable(id=np.arange(1, n + 1), row=np.arange(n), media_id=np.array(col[0]),
                       frame=np.array(col[1]), face=np.full(n, -1), score=np.array(col[2], float),
                       label=np.array(col[3], np.int8), attack_type=np.array(col[4], dtype=object),
                       split=np.array(col[5], dtype=object), box=[None] * n)


def test_hter_uses_the_threshold_fixed_on_dev():
    dev = [(1, -1, 0.1, 0, None, "dev"), (2, -1, 0.2, 0, None, "dev"), (3, -1, 0.3, 0, None, "dev"),
           (4, -1, 0.7, 0, None, "dev"), (5, -1, 0.4, 1, "print", "dev"), (6, -1, 0.6, 1, "print", "dev"),
           (7, -1, 0.8, 1, "replay", "dev"), (8, -1, 0.9, 1, "replay", "dev")]
    # dev EER by hand: from just above 0.4 up to 0.6, 1 of 4 bona fide (0.7) is rejected and 1 of 4 attacks (0.4)
    # missed: EER 25%; the threshold is the middle of that range, 0.5
    test = [(9, -1, 0.05, 0, None, "test"), (10, -1, 0.65, 0, None, "test"), (11, -1, 0.5, 0, None, "test"),
            (12, -1, 0.59, 1, "print", "test"), (13, -1, 0.95, 1, "print", "test"),
            (14, -1, 0.61, 1, "replay", "test"), (15, -1, 0.3, 1, "replay", "test"),
            (16, -1, 0.99, 1, "replay", "test")]
    ev = evaluate(_table(dev + test))
    v = ev.to_json()
    assert v["threshold"] == pytest.approx(0.5) and ev.point.chosen_on == "dev"
    assert v["n_bona_fide"] == 3 and v["n_attack"] == 5
    assert v["bpcer"] == pytest.approx(2 / 3)  # 0.65, and 0.5 (a score equal to the threshold is an attack)
    assert v["apcer"] == {"print": 0.0, "replay": pytest.approx(1 / 3)}  # 0.3
    assert v["apcer_max"] == pytest.approx(1 / 3) and v["acer"] == pytest.approx((1 / 3 + 2 / 3) / 2)
    assert v["hter"] == pytest.approx((1 / 5 + 2 / 3) / 2)
    assert v["acc"] == pytest.approx(5 / 8)
    assert list(v) == ["n_bona_fide", "n_attack", "auc", "eer", "eer_threshold", "threshold", "acc", "apcer",
                       "apcer_max", "bpcer", "acer", "hter", "bpcer_at_apcer_5", "bpcer_at_apcer_10"]
    # a threshold given by the user is used as is: at 0.6, the edge of dev's EER range, the print attack at 0.59
    # gets through; a target APCER is met on dev
    edge = evaluate(_table(dev + test), threshold=0.6).to_json()
    assert edge["bpcer"] == pytest.approx(1 / 3) and edge["apcer"]["print"] == 0.5
    chosen = evaluate(_table(dev + test), target_apcer=0.0).point.threshold
    assert chosen == pytest.approx(0.4)


def test_threshold_methods_on_dev():
    score, y, types = _hand()
    s = Samples(np.arange(len(y)), np.arange(len(y)), score, y.astype(np.int8), types,
                np.array(["dev"] * len(y), dtype=object))
    # min HTER by hand: at 0.35 no attack is missed and 1 of 4 bona fide (0.6) rejected: 0.125; at 0.4 one attack
    # is missed too (0.18), at 0.3 two bona fide are rejected (0.25), at 0.7 four attacks are missed (0.22).
    # Every threshold above 0.3 up to 0.35 gives 0.125: the middle of that range is chosen
    assert choose_threshold(s, "min_hter").threshold == pytest.approx(0.325)
    # APCER <= 25%: print (3 samples) may miss none, so the threshold stops at its lowest score, 0.4
    assert choose_threshold(s, "target_apcer", target_apcer=0.25).threshold == pytest.approx(0.4)
    with pytest.raises(FaceLensError, match=r"needs --target-apcer A with A in \[0, 1\]$"):
        choose_threshold(s, "target_apcer")  # the method named without its target


def test_video_scores_aggregate_frames_as_the_run_says():
    rows = [(1, 0, 0.2, 1, "deepfake", "test"), (1, 1, 0.4, 1, "deepfake", "test"), (1, 2, 0.9, 1, "deepfake", "test"),
            (2, 0, 0.1, 0, None, "test"), (2, 1, 0.3, 0, None, "test")]
    t = _table(rows)
    assert video_samples(t, "mean").score.tolist() == pytest.approx([0.5, 0.2])
    assert video_samples(t, "max").score.tolist() == pytest.approx([0.9, 0.3])
    assert video_samples(t, "median").score.tolist() == pytest.approx([0.4, 0.2])
    assert video_samples(t, "mean").y.tolist() == [1, 0]


def test_bootstrap_intervals_hold_the_point_estimate_and_are_reproducible():
    score, y = _arrays(3, n=300)
    types = np.where(y == 1, "print", None).astype(object)
    ci = bootstrap_ci(score, y, types, 0.5, rounds=200, seed=7)
    m = pad_metrics(score, y, types, 0.5)
    assert ci["auc"][0] <= auc(score, y) <= ci["auc"][1]
    assert ci["bpcer"][0] <= m.bpcer <= ci["bpcer"][1]
    assert ci["acer"][0] < ci["acer"][1]
    assert ci == bootstrap_ci(score, y, types, 0.5, rounds=200, seed=7)


def test_a_threshold_is_chosen_in_the_middle_of_the_range_that_gives_its_error():
    # dev separates perfectly: bona fide up to 0.419, the attack at 0.997. Any threshold above 0.419 up to 0.997
    # gives no error on dev; at 0.997 itself the test attack at 0.961 would be missed (APCER 1)
    dev = [(1, -1, 0.1, 0, None, "dev"), (2, -1, 0.419, 0, None, "dev"), (3, -1, 0.997, 1, "replay", "dev")]
    test = [(4, -1, 0.439, 0, None, "test"), (5, -1, 0.961, 1, "replay", "test")]
    for method in ("eer", "min_hter"):
        ev = evaluate(_table(dev + test), method=method)
        assert ev.point.threshold == pytest.approx((0.419 + 0.997) / 2)
        assert ev.values["apcer_max"] == 0.0 and ev.values["bpcer"] == 0.0
    e, t = eer([0.1, 0.419, 0.997], [0, 0, 1])
    assert e == 0.0 and t == pytest.approx(0.708)  # the EER itself is unchanged
    # a minimal HTER reached at several candidate thresholds: 25% from just above 0.1 up to 0.9
    score, y = np.array([0.1, 0.5, 0.5, 0.9]), np.array([0, 0, 1, 1])
    s = Samples(np.arange(4), np.arange(4), score, y.astype(np.int8), np.array([None, None, "print", "print"]),
                np.array(["dev"] * 4, dtype=object))
    assert choose_threshold(s, "min_hter").threshold == pytest.approx(0.5)
    # when nothing should be called an attack, the middle stops at 1; a score of 1 leaves only "above all"
    assert eer([0.5, 0.5], [0, 1])[1] == pytest.approx(0.75)
    assert eer([1.0, 1.0], [0, 1])[1] > 1.0
