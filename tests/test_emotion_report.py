"""The ER-versus-FER gap and annotator agreement over frames, and the emotion exports read back by other tools."""
import csv

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotation.emotion.timeline import frame_labels
from annotation.model import TimeSegment
from engine.emotion.agreement import krippendorff_alpha
from engine.emotion.report import emotion_report
from tests.cli import run_cli
from tests.inprocess_cli import main_json, run_main

FPS, FRAMES = 25.0, 150  # the demo video


def seg(track, start, end, label, who):
    return TimeSegment(2, track, start, end, who, {"label": label})


LABELS = [
    seg("er", 0, 3, "happiness", "alice"), seg("er", 3, 6, "sadness", "alice"),
    seg("er", 0, 3.4, "happiness", "bob"), seg("er", 3.4, 6, "sadness", "bob"),
    seg("fer", 0, 2, "happiness", "alice"), seg("fer", 2, 6, "neutral", "alice"),
    seg("fer", 0, 2, "happiness", "bob"), seg("fer", 2, 5, "neutral", "bob"), seg("fer", 5, 6, "sadness", "bob"),
]


def test_gap_and_agreement_over_frames(demo):
    demo.segments.add_many(LABELS)
    r = emotion_report(demo)
    # ER consensus: happiness 0-3 s, (alice and bob disagree 3-3.4 s: no consensus), sadness 3.4-6 s
    # FER consensus: happiness 0-2 s, neutral 2-5 s, (5-6 s: no consensus)
    assert r["confusion"] == {"happiness": {"happiness": pytest.approx(2.0), "neutral": pytest.approx(1.0)},
                              "sadness": {"neutral": pytest.approx(1.6)}}
    assert r["disagreement_share"] == pytest.approx(2.6 / 4.6)
    # ER segments against the FER shown over most of them: alice happiness->happiness (2 of 3 s), sadness->
    # neutral; bob happiness->happiness, sadness->neutral
    assert (r["segments_compared"], r["segment_disagreement_share"]) == (4, 0.5)
    assert r["per_class"]["sadness"]["disagreement_share"] == 1.0
    for track in ("er", "fer"):
        a = frame_labels([s for s in LABELS if s.tier == track and s.annotator == "alice"], FPS, FRAMES)
        b = frame_labels([s for s in LABELS if s.tier == track and s.annotator == "bob"], FPS, FRAMES)
        assert r["kappa"][track] == pytest.approx(cohen_kappa_score(list(a), list(b)))
        assert r["alpha"][track] == pytest.approx(krippendorff_alpha([list(a), list(b)]))
        assert r["kappa_method"][track] == "cohen"
    assert r["annotators"] == {"er": ["alice", "bob"], "fer": ["alice", "bob"]}


def test_report_and_score_from_the_cli(demo_dir, demo, capsys):
    demo.segments.add_many(LABELS)
    r = main_json(capsys, "emotion", "report", demo_dir)
    assert {"confusion", "disagreement_share", "kappa", "alpha"} <= set(r)
    assert set(r["kappa"]) == set(r["alpha"]) == {"er", "fer"}
    text = run_cli("emotion", "report", demo_dir).stdout
    assert "they differ 0.565 of the time" in text
    s = main_json(capsys, "emotion", "score", demo_dir, "--reference", "er:alice", "--source", "fer:alice")
    # alice's FER against her ER over 6 s: happiness 2 of 3 s right, sadness 0 of 3 s
    assert s["war"] == pytest.approx(2 / 6) and s["uar"] == pytest.approx((2 / 3 + 0) / 2)


def test_report_and_score_refuse_what_the_project_does_not_have(demo_dir, demo, capsys):
    demo.segments.add_many(LABELS)
    assert "no media 99 in this project" in run_main(capsys, "emotion", "report", demo_dir, "--media", 99, code=2).err
    err = run_main(capsys, "emotion", "score", demo_dir, "--reference", "er:carol", "--source", "fer", code=2).err
    assert "field 'reference'" in err and "no ER segments by 'carol'" in err and "alice, bob" in err
    err = run_main(capsys, "emotion", "score", demo_dir, "--reference", "er", "--source", "fer:dan", code=2).err
    assert "field 'source'" in err and "no FER segments by 'dan'" in err


def test_report_with_one_annotator_has_no_agreement(demo_dir, demo, capsys):
    demo.segments.add_many([s for s in LABELS if s.annotator == "alice"])
    r = main_json(capsys, "emotion", "report", demo_dir)
    assert r["kappa"] == {"er": None, "fer": None} and r["alpha"] == {"er": None, "fer": None}


def test_eaf_export_opens_in_pympi(demo_dir, demo, tmp_path):
    import pympi

    demo.segments.add_many(LABELS + [TimeSegment(1, "fer", 0, 0, "alice", {"label": "surprise", "scope": "image"})])
    out = tmp_path / "labels.eaf"
    p = run_cli("export", demo_dir, "--format", "eaf", "--out", out)
    assert "left out (no eaf form): 1" in p.stdout  # the image label has no time
    eaf = pympi.Elan.Eaf(str(out))
    assert sorted(eaf.get_tier_names()) == ["ER - alice", "ER - bob", "FER - alice", "FER - bob"]
    assert eaf.get_annotation_data_for_tier("FER - bob") == [(0, 2000, "happiness"), (2000, 5000, "neutral"),
                                                             (5000, 6000, "sadness")]
    (media,) = eaf.media_descriptors
    assert media["MIME_TYPE"] == "video/mp4"
    assert (out.parent / media["RELATIVE_MEDIA_URL"]).resolve() == demo_dir / "media" / "astronaut_head.mp4"
    assert demo.audit.entries()[-1].action == "export"


def test_segment_table_export_reimports_into_another_project(demo_dir, demo, tmp_path, _demo_template, capsys):
    import shutil

    demo.segments.add_many(LABELS)
    out = tmp_path / "segments.csv"
    run_main(capsys, "export", demo_dir, "--format", "emotion-csv", "--out", out)
    rows = list(csv.DictReader(open(out)))
    assert len(rows) == len(LABELS) and {"media", "start", "end", "track", "label", "annotator"} <= set(rows[0])
    other = tmp_path / "other"
    shutil.copytree(_demo_template, other)
    assert "imported 9 segments" in run_main(capsys, "emotion", "import", other, out).out
    report = main_json(capsys, "emotion", "report", other)
    assert report["confusion"] == main_json(capsys, "emotion", "report", demo_dir)["confusion"]


def test_training_dataset_has_clips_labels_and_aligned_gaze(demo_dir, demo, tmp_path, capsys):
    import av

    demo.segments.add_many(LABELS[:2])
    t = np.arange(0, 6, 0.01)
    gaze = np.column_stack([t, 100 + 10 * t, 50 + t, np.ones_like(t), np.full_like(t, 3.0)])
    demo.series.add(2, "gaze", ("t", "x", "y", "confidence", "pupil"), gaze)
    out = tmp_path / "dataset"
    run_main(capsys, "export", demo_dir, "--format", "emotion-dataset", "--out", out)
    rows = list(csv.DictReader(open(out / "labels.csv")))
    assert [(r["label"], r["frames"], r["dfew_index"], r["mafw_index"]) for r in rows] == [
        ("happiness", "75", "1", "4"), ("sadness", "75", "2", "6")]
    with av.open(str(out / rows[1]["clip"])) as clip:
        assert sum(1 for _ in clip.decode(video=0)) == 75
    g = np.load(out / rows[1]["gaze"])
    assert g.shape == (75, 5)
    np.testing.assert_allclose(g[:, 0], np.arange(75) / 25, atol=1e-6)  # from the clip start
    np.testing.assert_allclose(g[:, 1], 100 + 10 * (3 + np.arange(75) / 25), atol=0.06)  # x at each frame
    assert "not empty" in run_main(capsys, "export", demo_dir, "--format", "emotion-dataset", "--out", out,
                                   code=2).err
