"""Running a detector inside FaceLens: mediapipe face crops scored by a real (seeded) model on the engine thread."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from annotation.errors import InputError
from engine.audit.runner.faces import crop
from engine.audit.runner.job import detector_job
from engine.audit.runner.models import load_detector
from engine.audit.runner.spec import IMAGENET_MEAN, IMAGENET_STD, DetectorSettings, ModelSpec
from engine.worker import Engine
from storage.demo import FACE_BOX
from storage.media.library import open_video, read_image

SIZE = 64


class TinyDetector(torch.nn.Module):
    """A forgery detector in miniature: a convolution, pooled features, one logit."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, stride=2)
        self.fc = torch.nn.Linear(8, 1)

    def forward(self, x: torch.Tensor):
        f = torch.relu(self.conv(x)).mean(dim=(2, 3))
        return self.fc(f), f


@pytest.fixture
def scripted(tmp_path):
    torch.manual_seed(0)
    model = TinyDetector().eval()
    path = tmp_path / "tiny.pt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # TorchScript is deprecated upstream, still what users bring
        torch.jit.script(model).save(str(path))
    return model, path


@pytest.fixture
def engine():
    e = Engine()
    yield e
    e.stop()


def _expected(model, rgb, box):
    x = torch.from_numpy(crop(rgb, box, SIZE)).permute(2, 0, 1)[None].float() / 255
    x = (x - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    with torch.no_grad():
        logit, f = model(x)
    return torch.sigmoid(logit).item(), f[0].numpy()


def test_every_face_is_cropped_and_scored_as_the_model_itself_scores_it(demo, scripted, engine):
    model, path = scripted
    progress = []
    job = detector_job(demo, ModelSpec("torchscript", str(path), input_size=SIZE), None,
                       DetectorSettings(margin=0.25, stride=30, batch_size=4))
    result = engine.run(job, "detect", on_progress=lambda _j, done, total, _m: progress.append((done, total)))
    assert result.ok, result.error
    assert result.value["media"] == 2 and progress[-1] == (6, 6)  # the photo and frames 0, 30, ..., 120
    run = demo.detectors.run(result.value["run_id"])
    assert run.model == "tiny" and run.params["margin"] == 0.25 and len(run.source_sha256) == 64
    t = demo.detectors.results(run.id)
    assert len(t) == 6 and t.face.tolist() == [0] * 6  # one face each
    photo, video = (demo.media.get(int(m)) for m in (t.media_id[0], t.media_id[1]))
    assert t.frame.tolist() == [-1, 0, 30, 60, 90, 120]
    # the photo's crop holds the face (measured once with mediapipe's face mesh) and a margin around it
    x0, y0, x1, y1 = t.box[0]
    assert x0 < FACE_BOX[0] and y0 < FACE_BOX[1] and x1 > FACE_BOX[2] and y1 > FACE_BOX[3] - 15
    assert demo.detectors.check_runs(run.id) == []  # what the run's audit entry recorded is what was stored
    feats = demo.detectors.features(run.id)
    with open_video(demo, video, threads=False) as reader:
        frames = {n: reader.read(n) for n in (0, 60)}
    for i, rgb in ((0, read_image(demo, photo)), (1, frames[0]), (3, frames[60])):
        score, f = _expected(model, rgb, t.box[i])
        assert t.score[i] == pytest.approx(score, abs=1e-5)
        np.testing.assert_allclose(feats[i], f, atol=1e-5)


def test_a_cancelled_run_leaves_the_project_unchanged(demo, scripted, engine):
    _, path = scripted
    entries = len(demo.audit.entries())
    handle = engine.submit(detector_job(demo, ModelSpec("torchscript", str(path), input_size=SIZE), None,
                                        DetectorSettings(stride=5)), "detect",
                           on_progress=lambda *_: handle.cancel())
    assert handle.result(60).cancelled
    assert demo.detectors.runs() == [] and len(demo.audit.entries()) == entries


def test_a_timm_model_with_its_checkpoint(demo, engine, tmp_path):
    import timm

    torch.manual_seed(1)
    model = timm.create_model("resnet10t", pretrained=False, num_classes=2).eval()
    ckpt = tmp_path / "resnet10t.pth"
    torch.save({"state_dict": {f"module.{k}": v for k, v in model.state_dict().items()}}, ckpt)
    photo = demo.media.all(kind="image")[0]
    result = engine.run(detector_job(demo, ModelSpec("timm", str(ckpt), arch="resnet10t", input_size=SIZE),
                                     [photo.id]))
    assert result.ok, result.error
    t = demo.detectors.results(result.value["run_id"])
    x = torch.from_numpy(crop(read_image(demo, photo), t.box[0], SIZE)).permute(2, 0, 1)[None].float() / 255
    x = (x - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    with torch.no_grad():
        expected = torch.softmax(model(x), 1)[0, 1].item()
    assert t.score[0] == pytest.approx(expected, abs=1e-5)
    assert demo.detectors.features(result.value["run_id"]).shape == (1, model.num_features)


def test_a_wrong_model_file_is_named(tmp_path, scripted):
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a model")
    with pytest.raises(InputError, match=r"junk.pt: not a TorchScript model"):
        load_detector(ModelSpec("torchscript", str(junk)))
    other = tmp_path / "other.pth"
    torch.save(torch.nn.Linear(3, 2).state_dict(), other)
    with pytest.raises(InputError, match=r"other.pth: the checkpoint does not fit resnet10t: \d+ missing"):
        load_detector(ModelSpec("timm", str(other), arch="resnet10t"))
    with pytest.raises(InputError, match="no such model file"):
        load_detector(ModelSpec("torchscript", str(tmp_path / "none.pt")))
