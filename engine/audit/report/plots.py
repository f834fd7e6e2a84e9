"""The report's figures, drawn with matplotlib's Agg renderer (no window system, safe off the GUI thread):
score histograms by class and attack type, ROC, DET, and risk-coverage for the two ways of rejecting."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from scipy.stats import norm

from engine.audit.metrics import eer, roc
from engine.audit.pad import attack_types
from engine.audit.samples import Samples, frame_samples

SIZE = (6.4, 4.0)
BINS = np.linspace(0.0, 1.0, 41)


def histogram_figure(s: Samples, threshold: float) -> Figure:
    fig = Figure(figsize=SIZE)
    ax = fig.add_subplot()
    bona = s.score[s.y == 0]
    if len(bona):
        ax.hist(bona, BINS, histtype="stepfilled", alpha=0.4, color="tab:gray", label=f"bona fide ({len(bona)})")
    kinds = attack_types(s.y, s.attack_type)
    attacks = s.score[s.y == 1]
    for k in sorted(set(kinds)):
        ax.hist(attacks[kinds == k], BINS, histtype="step", linewidth=1.6, label=f"{k} ({int((kinds == k).sum())})")
    unknown = s.score[s.y < 0]
    if len(unknown):
        ax.hist(unknown, BINS, histtype="step", linestyle="--", color="gray", label=f"no label ({len(unknown)})")
    ax.axvline(threshold, color="black", linewidth=1, label=f"threshold {threshold:.3f}")
    ax.set(xlabel="score (probability of attack)", ylabel="samples", xlim=(0, 1))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no half samples on the axis
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def roc_figure(levels: dict[str, Samples]) -> Figure:
    fig = Figure(figsize=SIZE)
    ax = fig.add_subplot()
    for level, s in levels.items():
        r = roc(s.score, s.y)
        e, _ = eer(s.score, s.y)
        ax.plot(r.fpr, r.tpr, label=f"{level} level (EER {100 * e:.1f}%)")
    ax.plot([0, 1], [0, 1], color="lightgray", linewidth=1)
    ax.plot([0, 1], [1, 0], color="lightgray", linewidth=1, linestyle=":")
    ax.set(xlabel="BPCER (bona fide called attack)", ylabel="1 - APCER (attacks caught)",
           xlim=(0, 1), ylim=(0, 1))
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


DET_TICKS = [0.001, 0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8]


def det_figure(levels: dict[str, Samples]) -> Figure:
    """APCER against BPCER on normal-deviate axes, where the curves of Gaussian scores are straight lines."""
    fig = Figure(figsize=SIZE)
    ax = fig.add_subplot()
    lo = 0.0005
    for level, s in levels.items():
        r = roc(s.score, s.y)
        ax.plot(norm.ppf(np.clip(r.fpr, lo, 1 - lo)), norm.ppf(np.clip(1 - r.tpr, lo, 1 - lo)), label=f"{level} level")
    ticks = norm.ppf(DET_TICKS)
    labels = [f"{100 * t:g}%" for t in DET_TICKS]
    ax.set_xticks(ticks, labels)
    ax.set_yticks(ticks, labels)
    ax.set(xlim=(norm.ppf(lo), norm.ppf(0.95)), ylim=(norm.ppf(lo), norm.ppf(0.95)),
           xlabel="BPCER", ylabel="APCER (all attack types)")
    ax.grid(True, linewidth=0.4)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def risk_coverage_figure(curves: dict, aurcs: dict) -> Figure:
    fig = Figure(figsize=SIZE)
    ax = fig.add_subplot()
    for name, (coverage, risk) in curves.items():
        a = aurcs.get(name)
        ax.plot(coverage, risk, label=f"reject by {name}" + (f" (AURC {a:.4f})" if a is not None else ""))
    ax.set(xlabel="coverage (share of samples decided by the model)", ylabel="risk (error rate among them)",
           xlim=(0, 1))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def report_figures(data) -> list[tuple[str, Figure]]:
    """(caption, figure) for every plot the report shows; the caption is its one title (the HTML puts it
    under the figure, the PDF above it)."""
    figs = []
    thr = data.queue.point.threshold
    for level, s in data.samples.items():
        split = data.evaluations[level].split or "all rows"
        figs.append((f"Scores at {level} level ({split}) by class and attack type",
                     histogram_figure(s, data.evaluations[level].point.threshold)))
    labelled = {lvl: s.labelled() for lvl, s in data.samples.items()}
    if labelled:
        figs.append(("ROC", roc_figure(labelled)))
        figs.append(("DET", det_figure(labelled)))
    conf = data.queue.confidence
    if conf is not None and conf.curves:
        figs.append(("Risk-coverage: rejecting by score margin and by Mahalanobis confidence",
                     risk_coverage_figure(conf.curves, {"score margin": conf.aurc_score,
                                                        "Mahalanobis": conf.aurc_mahalanobis})))
    if not data.samples:
        figs.append(("Scores (no labels: no metrics)", histogram_figure(frame_samples(data.table), thr)))
    return figs
