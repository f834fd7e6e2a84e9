"""ER and FER labels: taxonomies, timeline editing with undo, whole-clip and image labels, CSV import, ratings."""
import numpy as np
import pytest

from annotation.commands import Add, UndoStack
from annotation.emotion import editing
from annotation.emotion.labels import emotion_classes
from annotation.emotion.rating import RatingTrace
from annotation.emotion.tracks import whole_clip
from annotation.errors import InputError
from annotation.taxonomy import builtin_taxonomies
from engine.emotion.importing import import_emotion_csv, load_rating, save_rating
from tests.cli import run_cli
from tests.inprocess_cli import main_json, run_main

FPS = 25.0


def test_emotion_taxonomies_ship_by_name():
    t = builtin_taxonomies()
    assert t["emotion7"].names() == ["happiness", "sadness", "fear", "surprise", "disgust", "anger", "neutral"]
    assert t["emotion3"].names() == ["positive", "negative", "neutral"]
    assert sorted(t["mafw"].names()) == sorted(["anger", "anxiety", "contempt", "disappointment", "disgust", "fear",
                                                "happiness", "helplessness", "neutral", "sadness", "surprise"])
    # DFEW's label files number Happy, Sad, Neutral, Angry, Surprise, Disgust, Fear from 1; FERV39k's loaders
    # number the same classes in the same order from 0; MAFW's single labels go from 1 to 11
    dfew_order = ["happiness", "sadness", "neutral", "anger", "surprise", "disgust", "fear"]
    assert t["dfew"].extra["indices"] == {name: i + 1 for i, name in enumerate(dfew_order)}
    assert t["ferv39k"].extra["indices"] == {name: i for i, name in enumerate(dfew_order)}
    assert t["mafw"].extra["indices"] == {name: i + 1 for i, name in enumerate(
        ["anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise", "contempt", "anxiety",
         "helplessness", "disappointment"])}
    for dataset in ("dfew", "ferv39k"):
        assert t[dataset].names() == dfew_order  # keys 1-7 in the dataset's own order
        assert t[dataset].extra["dataset_names"]["anger"] == "Angry"  # the dataset's spelling, kept beside
    for dataset in ("dfew", "ferv39k", "mafw"):
        # every class has its own key, and a dataset's class numbers sit beside the names, never instead
        assert len({label.key for label in t[dataset].labels if label.key}) == len(t[dataset].labels)
        assert set(t[dataset].extra["indices"]) == set(t[dataset].names())
    assert t["valence"].range == t["arousal"].range == (-1.0, 1.0)
    assert t["intensity"].levels == (0, 1, 2, 3)
    assert set(emotion_classes()) == {"emotion7", "emotion3", "dfew", "ferv39k", "mafw"}


def test_timeline_edits_snap_to_frames_and_undo(demo):
    stack = UndoStack(demo.store)
    add = stack.push(editing.create(2, "er", 0.51, 1.99, "happiness", FPS, "alice", duration=6.0))
    seg = add.records()[0]
    assert (seg.start, seg.end) == (0.52, 2.0) and seg.values == {"label": "happiness"}
    split = stack.push(editing.split(seg, 1.01, FPS))
    left, right = demo.segments.for_media(2, "er", "alice")
    assert (left.end, right.start, right.values["label"]) == (1.0, 1.0, "happiness")
    stack.push(editing.relabel(right, "surprise"))
    right = demo.segments.get(right.id)
    stack.push(editing.resize(right, "end", 2.41, FPS, duration=6.0))
    siblings = demo.segments.for_media(2, "er", "alice")
    # moving the left one right stops at its neighbour: segments of one annotator do not overlap
    left = demo.segments.get(left.id)
    stack.push(editing.move(left, 3.0, FPS, siblings, 6.0))
    assert (demo.segments.get(left.id).start, demo.segments.get(left.id).end) == (0.52, 1.0)
    stack.push(editing.move(left, -2.0, FPS, siblings, 6.0))
    assert demo.segments.get(left.id).start == 0.0
    merged = stack.push(editing.merge(demo.segments.for_media(2, "er", "alice")))
    (only,) = demo.segments.for_media(2, "er", "alice")
    assert (only.start, only.end, only.values["label"]) == (0.0, 2.4, "happiness")
    for _ in range(6):
        stack.undo()
    (back,) = demo.segments.for_media(2, "er", "alice")
    assert (back.start, back.end) == (0.52, 2.0)
    with pytest.raises(InputError, match="already covers"):
        editing.create(2, "er", 1.0, 1.5, "fear", FPS, "alice", demo.segments.for_media(2), 6.0)
    with pytest.raises(InputError, match="each part needs a frame"):
        editing.split(back, 0.53, FPS)
    assert merged.text == "Merge segments" and split.text == "Split segment"


def test_whole_clip_and_image_labels(demo):
    video, image = demo.media.get(2), demo.media.get(1)
    stack = UndoStack(demo.store)
    clip = stack.push(Add(whole_clip(video, "er", "sadness", "alice"))).records()[0]
    still = stack.push(Add(whole_clip(image, "fer", "surprise", "alice"))).records()[0]
    assert (clip.start, clip.end, clip.values["scope"]) == (0.0, video.duration, "clip")
    assert (still.start, still.end, still.values["scope"]) == (0.0, 0.0, "image")


CSV = """media,start,end,track,label,annotator,valence
2,0,2.0,er,happiness,alice,0.5
media/astronaut_head.mp4,2.0,6.0,er,sadness,alice,-0.4
2,0,3.0,fer,neutral,alice,
2,0,2.4,er,happiness,bob,
astronaut.png,,,fer,happiness,alice,
"""


def test_import_segment_table(demo, tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(CSV)
    r = import_emotion_csv(demo, path)
    assert r["segments"] == 5 and r["tracks"] == {"er": 3, "fer": 2} and r["annotators"] == ["alice", "bob"]
    er = demo.segments.for_media(2, "er", "alice")
    assert [(s.start, s.end, s.values["label"]) for s in er] == [(0, 2, "happiness"), (2, 6, "sadness")]
    assert er[0].values["valence"] == 0.5
    (still,) = demo.segments.for_media(1)
    assert still.values == {"label": "happiness", "scope": "image"}
    assert demo.audit.entries()[-1].action == "import emotion"


def test_import_a_semicolon_segment_table_with_decimal_commas(demo, tmp_path):
    """A spreadsheet saved as CSV where the decimal mark is the comma (Germany, France) separates by semicolons."""
    path = tmp_path / "labels.csv"
    path.write_text("media;start;end;track;label;annotator;valence\n2;0;1,5;er;happiness;dave;0,5\n"
                    "2;1,5;3;er;sadness;dave;\n")
    assert import_emotion_csv(demo, path)["segments"] == 2
    er = demo.segments.for_media(2, "er", "dave")
    assert [(s.start, s.end, s.values["label"]) for s in er] == [(0, 1.5, "happiness"), (1.5, 3, "sadness")]
    assert er[0].values["valence"] == 0.5


@pytest.mark.parametrize("text, line, field", [
    ("media,start,end,track,label\n2,0,1,er,happiness\n", 1, "annotator"),
    (CSV.replace("2,0,3.0,fer,neutral", "2,0,3.0,fer,bored"), 4, "label"),
    (CSV.replace("2,0,3.0,fer,neutral", "2,0,3.0,fer,Angry"), 4, "label"),  # DFEW's spelling: "did you mean"
    (CSV.replace("2,0,3.0,fer,", "2,0,3.0,face,"), 4, "track"),
    (CSV.replace("2.0,6.0,er", "2.0,9.5,er"), 3, "end"),
    (CSV.replace("2,0,2.4,er", "2,three,2.4,er"), 5, "start"),
    (CSV.replace("2,0,2.4,er,happiness,bob", "7,0,2.4,er,happiness,bob"), 5, "media"),
    (CSV.replace("happiness,alice,0.5", "happiness,alice,1.5"), 2, "valence"),
    (CSV.replace("2.0,6.0,er,sadness", "1.5,6.0,er,sadness"), 3, "start"),  # overlaps line 2
])
def test_bad_segment_table_names_line_and_column_and_imports_nothing(demo, tmp_path, text, line, field):
    path = tmp_path / "labels.csv"
    path.write_text(text)
    with pytest.raises(InputError) as e:
        import_emotion_csv(demo, path)
    assert f"{path}, line {line}, field '{field}'" in str(e.value)
    assert demo.segments.count() == 0
    if "Angry" in text:
        assert "did you mean 'anger'?" in str(e.value)  # labels are stored by the taxonomy's class name


def test_importing_the_same_table_twice_is_refused(demo_dir, tmp_path, capsys):
    path = tmp_path / "labels.csv"
    path.write_text(CSV)
    assert "imported 5 segments" in run_main(capsys, "emotion", "import", demo_dir, path).out
    p = run_cli("emotion", "import", demo_dir, path, check=2)  # a real process: one line, exit 2, no traceback
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert "line 2" in p.stderr and "overlaps a stored er segment" in p.stderr
    assert main_json(capsys, "info", demo_dir)["segments"] == 5


def test_continuous_rating_is_sampled_per_frame_and_stored(demo):
    video = demo.media.get(2)
    trace = RatingTrace(video.fps, video.frame_count)
    trace.set(0, 0.2, -0.1)
    trace.set_span(10, 14, 1.7, 0.4)  # clipped to the scale
    series_id = save_rating(demo, 2, trace, "alice")
    again = load_rating(demo, video, "alice")
    assert again.rated().sum() == 6 and tuple(again.values[12]) == (1.0, 0.4)
    trace.set(20, -0.5, -0.5)
    assert save_rating(demo, 2, trace, "alice") == series_id  # a second pass replaces the first
    assert load_rating(demo, video, "alice").rated().sum() == 7


def test_rating_csv_and_interval_alpha_in_the_report(demo_dir, tmp_path, capsys):
    t = np.arange(0, 6, 0.1)
    for name, noise in (("alice", 0.0), ("bob", 0.05)):
        rng = np.random.default_rng(len(name))
        path = tmp_path / f"{name}.csv"
        rows = [f"{x:.2f},{np.sin(x) * 0.8 + rng.normal(0, noise):.4f},{np.cos(x) * 0.5:.4f}" for x in t]
        path.write_text("t,valence,arousal\n" + "\n".join(rows) + "\n")
        out = main_json(capsys, "emotion", "rate", demo_dir, 2, path, "--annotator", name)
        assert out["frames"] == 148  # frames 0 .. 5.9 s at 25 fps
    report = main_json(capsys, "emotion", "report", demo_dir)
    assert report["alpha_interval"]["raters"] == ["alice", "bob"]
    assert 0.9 < report["alpha_interval"]["valence"] < 1.0 and report["alpha_interval"]["arousal"] == 1.0
    bad = tmp_path / "bad.csv"
    bad.write_text("t,valence,arousal\n0,0.1,0.1\n0.1,2,0\n")
    p = run_main(capsys, "emotion", "rate", demo_dir, 2, bad, code=2)
    assert f"{bad}, line 3, field 'valence'" in p.err
