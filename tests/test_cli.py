
import pytest
from pycocotools.coco import COCO

from tests.cli import run_cli, run_json
from tests.media_factory import indexed_video, photo, truncate


def test_new_import_info_verify_round(tmp_path):
    proj = tmp_path / "p"
    run_cli("new", proj)
    src = tmp_path / "src"
    src.mkdir()
    photo(src / "a.png")
    indexed_video(src / "v.mp4", frames=20)
    truncate(indexed_video(tmp_path / "broken.mp4", frames=20), 0.5)

    out = run_json("import", proj, src, tmp_path / "broken.mp4", check=1)  # partly failed: exit 1
    assert [i["path"] for i in out["imported"]] == [str(src / "a.png"), str(src / "v.mp4")]
    assert out["skipped"][0]["path"] == str(tmp_path / "broken.mp4") and out["skipped"][0]["reason"]
    again = run_json("import", proj, src / "a.png")
    assert again == {"imported": [], "skipped": [], "duplicates": [{"path": str(src / "a.png"), "id": 1}],
                     "relinked": []}

    info = run_json("info", proj)
    assert set(info) == {"schema_version", "media", "annotations", "tracks", "segments", "read_only"}
    assert info["read_only"] is None
    assert info["media"][1] | {"sha256": None} == {"id": 2, "path": (src / "v.mp4").as_posix(), "kind": "video",
                                                   "sha256": None, "width": 192, "height": 96, "frames": 20,
                                                   "fps": 25.0, "size_bytes": (src / "v.mp4").stat().st_size,
                                                   "rotation": 0}
    assert run_cli("verify", proj).stdout.startswith("verify: ok")


def test_verify_exits_1_and_names_the_changed_file(demo_dir):
    (demo_dir / "media" / "astronaut.png").write_bytes(b"changed")
    p = run_cli("verify", demo_dir, check=1)
    assert "media 1 (media/astronaut.png): file changed" in p.stdout


def test_export_coco_loads_in_pycocotools(demo_dir, demo):
    from annotation.model import Annotation
    from annotation.shapes import Box, Mask, Points, Polygon
    import numpy as np

    video = demo.media.all()[1]
    m = np.zeros((video.height, video.width), bool)
    m[100:200, 300:380] = True
    face = demo.labels.by_name("face").id
    demo.annotations.add(Annotation(media_id=video.id, frame=12, shape=Mask.from_array(m), label_id=face))
    demo.annotations.add(Annotation(media_id=video.id, frame=12, shape=Box(1, 2, 30, 40), label_id=face))
    demo.annotations.add(Annotation(media_id=video.id, frame=40, shape=Polygon([(0, 0), (50, 0), (50, 40)])))
    demo.annotations.add(Annotation(media_id=video.id, frame=40, shape=Points([(20, 20)]),  # a SAM click
                                    attributes={"role": "prompt"}))
    out = demo_dir / "exports" / "coco.json"
    printed = run_cli("export", demo_dir, "--format", "coco", "--out", out).stdout
    assert "left out (no coco form): 1 prompts" in printed
    coco = COCO(str(out))
    assert len(coco.imgs) == 3  # the photo and two frames of the video
    assert len(coco.anns) == 4  # the prompt is not a label
    names = {img["file_name"] for img in coco.imgs.values()}
    # relative to the JSON's folder: the photo where it is, the video's frames written beside the JSON
    assert names == {"../media/astronaut.png", "coco_frames/astronaut_head_m2/000012.jpg",
                     "coco_frames/astronaut_head_m2/000040.jpg"}
    assert all((out.parent / n).is_file() for n in names)
    (mask_ann,) = [a for a in coco.anns.values() if isinstance(a["segmentation"], dict)]
    assert (coco.annToMask(mask_ann).astype(bool) == m).all()
    assert mask_ann["area"] == m.sum()
    assert {c["name"] for c in coco.cats.values()} >= {"face", "unlabelled"}


@pytest.mark.parametrize("args, needle", [
    (["info", "{tmp}/nope", "--json"], "no such project folder"),
    (["verify", "{tmp}"], "not a FaceLens project"),
    (["export", "{tmp}", "--format", "voc", "--out", "x.json"], "invalid choice: 'voc'"),
    (["import", "{tmp}/nope", "a.png"], "no such project folder"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_bad_arguments_give_one_line_and_a_nonzero_exit(tmp_path, args, needle):
    p = run_cli(*[a.format(tmp=tmp_path) for a in args], check=None)
    assert p.returncode != 0
    assert needle in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_importing_a_file_of_the_wrong_kind(tmp_path):
    run_cli("new", tmp_path / "p")
    (tmp_path / "notes.txt").write_text("x")
    p = run_cli("import", tmp_path / "p", tmp_path / "notes.txt", check=1)
    assert "notes.txt: not an image" in p.stdout


def test_demo_builds_without_a_window(tmp_path):
    p = run_cli("demo", tmp_path / "d", "--no-gui")
    assert "demo project built" in p.stdout
    info = run_json("info", tmp_path / "d")
    kinds = [m["kind"] for m in info["media"]]
    assert kinds == ["image", "video"] and info["media"][1]["frames"] == 150


def test_a_reader_that_stops_early_ends_the_command_quietly(demo_dir, tmp_path, monkeypatch):
    """`facelens labels DIR | head -1`: the pipe closes under the command; exit 0, no traceback."""
    import io

    from main import main

    class ClosedPipe(io.TextIOWrapper):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    target = open(tmp_path / "stdout", "wb")
    monkeypatch.setattr("sys.stdout", ClosedPipe(target))
    assert main(["labels", str(demo_dir)]) == 0
