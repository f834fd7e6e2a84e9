"""Propagated masks are encoded in a helper process (annotation.rle_process), which must give exactly the string
the in-thread encoder gives, and must never lose a mask when the helper is gone."""
import numpy as np

from annotation import rle
from annotation.rle_process import RleProcess


def masks() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    speckled = np.asfortranarray(rng.random((270, 480)) > 0.5)
    face = np.zeros((270, 480), bool)
    face[60:200, 170:300] = True
    return [speckled, np.asfortranarray(face), face, face.astype(np.uint8) * 7, np.zeros((0, 5), bool),
            np.ones((1, 1), bool), np.zeros((9, 1), bool)]


def test_the_helper_process_gives_the_strings_the_encoder_gives():
    encoder = RleProcess()
    try:
        got = [encoder.encode(m) for m in masks()]
        helper = encoder._proc
        assert helper is not None and helper.poll() is None, "the masks were not sent to a helper process"
        assert got == [rle.encode(m) for m in masks()]
    finally:
        encoder.close()
    assert helper.wait(5) == 0  # it ends when its input does


def test_a_helper_that_dies_leaves_the_encoding_to_the_calling_thread():
    encoder = RleProcess()
    first, *rest = masks()
    try:
        assert encoder.encode(first) == rle.encode(first)
        encoder._proc.kill()
        encoder._proc.wait(5)
        assert [encoder.encode(m) for m in rest] == [rle.encode(m) for m in rest]
        assert not encoder.enabled and encoder._proc is None
    finally:
        encoder.close()


def test_propagated_masks_are_stored_through_the_helper(tmp_path):
    from annotation.model import Track
    from annotation.rle_process import ENCODER
    from engine.segmentation.store import MaskWriter
    from storage.media.importer import import_paths
    from storage.project import Project
    from tests.media_factory import indexed_video

    with Project.create(tmp_path / "proj") as project:
        import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=3)])
        item = project.media.all()[0]
        track = project.tracks.add(Track(media_id=item.id))
        mask = np.asfortranarray(np.random.default_rng(1).random((item.height, item.width)) > 0.5)
        ENCODER.close()  # (a helper from an earlier test: this writer starts its own)
        writer = MaskWriter(project, item, "sam2.1_hiera_tiny", {track.id: None})
        writer.add(2, {track.id: (mask, 0.9)})
        assert writer.flush() == 1
        assert ENCODER._proc is not None and ENCODER._proc.poll() is None
        stored = [a for a in project.annotations.for_media(item.id, 2) if a.kind == "mask"]
        assert [a.shape.counts for a in stored] == [rle.encode(mask)]
        assert np.array_equal(stored[0].shape.to_array(), mask)


def test_a_python_that_prints_at_start_up_does_not_garble_the_helper(tmp_path, monkeypatch):
    """A sitecustomize (or anything Python runs at start-up) that prints: the helper's first reply was read from
    that text, and a length taken from it left the writer waiting for ever."""
    (tmp_path / "sitecustomize.py").write_text('print("hello from sitecustomize: 12345678")\n')
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    encoder = RleProcess()
    try:
        got = [encoder.encode(m) for m in masks()]
        assert encoder.enabled and encoder._proc is not None  # the helper did the work
        assert got == [rle.encode(m) for m in masks()]
    finally:
        encoder.close()
