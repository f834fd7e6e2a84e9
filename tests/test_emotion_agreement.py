"""Agreement and recognition scores checked against scikit-learn, statsmodels and a textbook example."""
import math

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, recall_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa as sm_fleiss

from engine.emotion.agreement import agreement, category_counts, cohen_kappa, fleiss_kappa, krippendorff_alpha
from engine.emotion.recognition import war_uar

CLASSES = ["happiness", "sadness", "fear", "surprise", "disgust", "anger", "neutral"]


def noisy_labels(n, raters, seed, agree=0.7):
    rng = np.random.default_rng(seed)
    truth = rng.choice(CLASSES, n, p=[0.3, 0.2, 0.05, 0.1, 0.05, 0.1, 0.2])
    return [np.where(rng.random(n) < agree, truth, rng.choice(CLASSES, n)) for _ in range(raters)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cohen_kappa_equals_scikit_learn(seed):
    a, b = noisy_labels(400, 2, seed)
    assert cohen_kappa(list(a), list(b)) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_cohen_kappa_skips_frames_one_annotator_left_empty():
    a, b = noisy_labels(200, 2, 7)
    a_holes = [None if i % 5 == 0 else v for i, v in enumerate(a)]
    keep = [i % 5 != 0 for i in range(200)]
    assert cohen_kappa(a_holes, list(b)) == pytest.approx(cohen_kappa_score(a[keep], b[keep]))


@pytest.mark.parametrize("raters", [3, 5])
def test_fleiss_kappa_equals_statsmodels(raters):
    rows = noisy_labels(300, raters, raters)
    units = list(zip(*rows))
    counts, _ = category_counts(units)
    table, _ = aggregate_raters(np.array(units, dtype=object))
    assert fleiss_kappa(counts) == pytest.approx(sm_fleiss(table, method="fleiss"), abs=1e-12)
    summary = agreement([list(r) for r in rows])
    assert summary["kappa_method"] == "fleiss" and summary["kappa"] == pytest.approx(sm_fleiss(table))


def test_krippendorff_alpha_textbook_example():
    """Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers, 12 units,
    missing values; alpha = 0.743 nominal and 0.849 interval."""
    n = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    assert krippendorff_alpha(data, "nominal") == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(data, "interval") == pytest.approx(0.849, abs=5e-4)
    # section A: two observers, binary data, no missing values: alpha = 0.095
    assert krippendorff_alpha([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
                               [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]) == pytest.approx(0.095, abs=5e-4)


def test_alpha_is_one_for_perfect_agreement_and_nan_without_pairs():
    assert krippendorff_alpha([["a", "b", "a"], ["a", "b", "a"]]) == 1.0
    assert math.isnan(krippendorff_alpha([["a", None], [None, "b"]]))
    assert krippendorff_alpha([[0.1, 0.5, -0.2], [0.1, 0.5, -0.2]], "interval") == 1.0


@pytest.mark.parametrize("seed", [0, 3])
def test_war_and_uar_equal_scikit_learn(seed):
    reference, predicted = noisy_labels(500, 2, seed, agree=0.6)
    r = war_uar(list(reference), list(predicted))
    assert r["war"] == pytest.approx(accuracy_score(reference, predicted))
    labels = sorted(set(reference))
    assert r["uar"] == pytest.approx(recall_score(reference, predicted, labels=labels, average="macro"))
    per_class = recall_score(reference, predicted, labels=labels, average=None)
    assert [r["recall"][c] for c in labels] == pytest.approx(list(per_class))
