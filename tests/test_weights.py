"""Where a model's weights come from, and the clear error for a checkpoint that is not the chosen model's."""
import json
import os
import pickle
from pathlib import Path

import pytest
import torch

from annotation.errors import InputError
from engine.models.checkpoint import check_state_dict, read_state_dict
from engine.models.registry import model_entry
from engine.models.weights import ModelSettings, missing_message, models_dir, resolve_weights
from engine.segmentation.sam2_models import build_random_predictor, looks_like
from tests.inprocess_cli import main_json, run_main

TINY = "sam2.1_hiera_tiny"


def test_weights_are_found_in_the_documented_order(tmp_path, facelens_home):
    entry = model_entry("tiny")
    assert entry.name == TINY
    settings = ModelSettings()
    assert resolve_weights(entry, settings=settings) is None
    assert "sam2.1_hiera_tiny.pt" in missing_message(entry) and str(models_dir()) in missing_message(entry)

    models_dir().mkdir(parents=True)
    (models_dir() / "sam2.1_hiera_tiny.pt").write_bytes(b"x")
    assert resolve_weights(entry, settings=settings).origin == "models folder"
    chosen = tmp_path / "mine.pt"
    chosen.write_bytes(b"x")
    settings.set_checkpoint(TINY, chosen)
    assert json.loads((facelens_home / "models.json").read_text())["checkpoints"][TINY] == str(chosen)
    w = resolve_weights(entry, settings=ModelSettings())
    assert (w.kind, w.path, w.origin) == ("checkpoint", chosen, "settings")
    w = resolve_weights(entry, random_seed=3, settings=settings)
    assert (w.kind, w.seed) == ("random", 3)
    w = resolve_weights(entry, checkpoint=tmp_path / "other.pt", random_seed=3, settings=settings)
    assert (w.path, w.origin) == (tmp_path / "other.pt", "--checkpoint")


def test_a_chosen_checkpoint_that_went_missing_leaves_grabcut_on_and_says_so(tmp_path, capsys, demo_dir):
    # It once stayed "SAM 2: tiny" in the window while every click failed on the missing file.
    from engine.segmentation.segmenters import choose_segmenter

    gone = tmp_path / "sam2.1_hiera_tiny.pt"
    gone.write_bytes(b"x")
    ModelSettings().set_checkpoint(TINY, gone)
    gone.unlink()
    active = choose_segmenter()
    assert active.kind == "grabcut"
    assert active.status()["note"].startswith(f"SAM 2 is off: the checkpoint chosen for it, {gone}, is missing; ")
    out = main_json(capsys, "models")
    assert out["models"][0]["needs"] == f"sam2.1_hiera_tiny.pt; {gone} is missing"
    assert main_json(capsys, "segment", demo_dir, 1, "--point", "222,125")["area"] > 0  # GrabCut answers


def test_unknown_model_names_the_choices():
    with pytest.raises(InputError, match="unknown model 'sam3'; expected one of sam2.1_hiera_tiny, sam2.1_hiera_small"):
        model_entry("sam3", family="sam2")


def test_random_weights_are_the_raw_librarys_for_the_same_seed():
    from sam2.build_sam import build_sam2

    torch.manual_seed(7)
    raw = build_sam2(model_entry(TINY).extra["config"], ckpt_path=None, device="cpu").state_dict()
    ours = build_random_predictor(model_entry(TINY).extra["config"], 7).state_dict()
    assert raw.keys() == ours.keys() and all(torch.equal(raw[k], ours[k]) for k in raw)


def test_a_wrong_checkpoint_is_named_with_the_model_it_should_be(tmp_path, capsys, demo_dir):
    not_a_checkpoint = tmp_path / "notes.pt"
    not_a_checkpoint.write_text("hello")
    with pytest.raises(InputError, match=r"notes\.pt: not a readable PyTorch checkpoint \(it is a text file\); expected "
                                         r"the SAM 2\.1 tiny checkpoint sam2\.1_hiera_tiny\.pt"):
        read_state_dict(not_a_checkpoint, model_entry(TINY))

    # A real SAM 2.1 tiny checkpoint (random weights, Meta's {"model": ...} layout) offered as the small model.
    tiny_file = tmp_path / "sam2.1_hiera_tiny.pt"
    torch.save({"model": build_random_predictor(model_entry(TINY).extra["config"], 1).state_dict()}, tiny_file)
    small = model_entry("small")
    with pytest.raises(InputError) as e:
        check_state_dict(read_state_dict(tiny_file, small), small.expected_shapes(small), small, tiny_file, looks_like)
    text = str(e.value)
    assert text.startswith(f"{tiny_file}: this checkpoint does not match the model sam2.1_hiera_small (SAM 2.1 "
                           f"small); it looks like a sam2.1_hiera_tiny checkpoint (choose it for sam2.1_hiera_tiny "
                           f"instead): ")
    assert " weights missing (e.g. " in text

    # The CLI: one line naming the file and the expected model, nothing stored.
    err = run_main(capsys, "segment", demo_dir, 1, "--point", "200,100", "--model", "sam2.1_hiera_small",
                   "--checkpoint", tiny_file, code=2).err
    assert err.strip() == f"facelens: error: {text}"
    err = run_main(capsys, "models", "use", "small", "--checkpoint", tiny_file, code=2).err
    assert "does not match the model sam2.1_hiera_small" in err
    assert ModelSettings().checkpoint("sam2.1_hiera_small") is None  # a wrong file is not remembered

    # The right model takes the same file, and gives what random weights of that seed give.
    by_file = main_json(capsys, "segment", demo_dir, 1, "--point", "200,100", "--checkpoint", tiny_file)
    by_seed = main_json(capsys, "segment", demo_dir, 1, "--point", "200,100", "--weights", "random", "--seed", "1")
    assert by_file["rle"] == by_seed["rle"] and by_file["score"] == by_seed["score"]
    assert by_file["segmenter"]["weights"].startswith(str(tiny_file))
    listed = main_json(capsys, "models", "use", "tiny", "--checkpoint", tiny_file)
    assert [m["checkpoint"] for m in listed["models"] if m["model"] == TINY] == [str(tiny_file)]


@pytest.mark.parametrize("content", [b"this is not a checkpoint\n", b"PK\x03\x04garbage", b"",
                                     bytes(range(255, -1, -1)) * 20,  # (was "holds Python objects besides weights")
                                     pickle.dumps({"model": {"a": [1, 2]}}, protocol=4)])  # (and a torch warning)
def test_any_file_that_is_no_checkpoint_gets_the_one_line_error(tmp_path, capsys, recwarn, content):
    # A text file once ended in torch's unpickler with a bare IndexError (a traceback on the CLI).
    path = tmp_path / "sam2.1_hiera_tiny.pt"
    path.write_bytes(content)
    err = run_main(capsys, "models", "use", "tiny", "--checkpoint", path, code=2).err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"facelens: error: {path}: not a readable PyTorch checkpoint (")
    assert err.rstrip().endswith("expected the SAM 2.1 tiny checkpoint sam2.1_hiera_tiny.pt")
    assert "miniz" not in err and "IndexError" not in err and "could run code" not in err
    assert not [w for w in recwarn if "pickle protocol" in str(w.message)]  # (printed before the error)


def test_a_checkpoint_cut_short_is_called_incomplete(tmp_path, capsys):
    # It said "(PytorchStreamReader failed reading zip archive: failed finding central directory)".
    whole = tmp_path / "whole.pt"
    torch.save({"model": {"w": torch.zeros(1000)}}, whole)
    path = tmp_path / "sam2.1_hiera_tiny.pt"
    path.write_bytes(whole.read_bytes()[:2000])
    err = run_main(capsys, "models", "use", "tiny", "--checkpoint", path, code=2).err
    assert err == (f"facelens: error: {path}: not a readable PyTorch checkpoint (the file is incomplete or damaged, "
                   "as when a download or a copy stops part-way); expected the SAM 2.1 tiny checkpoint "
                   "sam2.1_hiera_tiny.pt\n")


def test_a_folder_given_as_the_checkpoint_is_called_a_folder(tmp_path, capsys):
    # It was "the checkpoint file does not exist", of a path that plainly exists.
    err = run_main(capsys, "models", "use", "tiny", "--checkpoint", tmp_path, code=2).err
    assert err == (f"facelens: error: {tmp_path}: is a folder, not a checkpoint file; expected the SAM 2.1 tiny "
                   f"checkpoint sam2.1_hiera_tiny.pt (the file itself)\n")


def test_a_whole_pickled_model_is_refused_in_one_sentence(tmp_path, capsys):
    # torch.save(model) instead of its state dict: loading it would unpickle (and could run) code, so it is
    # refused; the message says so plainly instead of torch's page of advice on unsafe loading.
    path = tmp_path / "sam2.1_hiera_tiny.pt"
    torch.save(torch.nn.Linear(2, 2), path)
    err = run_main(capsys, "models", "use", "tiny", "--checkpoint", path, code=2).err
    assert err.count("\n") == 1
    assert err.startswith(f"facelens: error: {path}: not a readable PyTorch checkpoint (it holds Python objects "
                          f"besides weights, such as torch.nn.modules.linear.Linear, which FaceLens does not load")
    assert "weights_only" not in err and "\x1b" not in err
    assert ModelSettings().checkpoint(TINY) is None


def test_loaded_models_are_kept_and_the_least_recently_used_goes_first():
    from engine.device import choose_device
    from engine.models.cache import ModelCache
    from engine.models.registry import CheckpointFile, ModelEntry, Weights

    built = []

    def build(entry, weights, device):
        built.append(entry.name)
        return {"model": entry.name}

    entries = [ModelEntry(f"m{i}", "test", f"model {i}", CheckpointFile(f"m{i}.pt", "https://example.org"), build,
                          lambda e: {}) for i in range(3)]
    cache, device, weights = ModelCache(max_models=2), choose_device("cpu"), Weights("random", seed=0)
    first = cache.get(entries[0], weights, device)
    assert cache.get(entries[0], weights, device) is first and built == ["m0"]  # built once, then kept
    cache.get(entries[1], weights, device)
    cache.get(entries[0], weights, device)  # m0 used again: m1 is now the least recently used
    cache.get(entries[2], weights, device)
    assert [k[0] for k in cache.loaded()] == ["m0", "m2"]

    class Sessions:
        released = 0

        def release(self):
            self.released += 1

    sessions = Sessions()
    cache.on_pressure(sessions.release)
    cache.release_all(device)  # what an out-of-memory build does before trying again
    assert sessions.released == 1 and cache.loaded() == []


class _RunsCode:
    """What a booby-trapped checkpoint holds: unpickling it would make a folder (run any code)."""

    def __init__(self, folder):
        self.folder = str(folder)

    def __reduce__(self):
        return os.mkdir, (self.folder,)


def test_a_checkpoint_that_would_run_code_is_refused_unloaded_in_one_whole_sentence(tmp_path, capsys):
    # The refusal was torch's page of advice cut off at 160 characters ("... Re-running `torch.").
    trap, ran = tmp_path / "sam2.1_hiera_tiny.pt", tmp_path / "it-ran"
    torch.save({"model": _RunsCode(ran)}, trap)
    err = run_main(capsys, "models", "use", "tiny", "--checkpoint", trap, code=2).err
    assert err == (f"facelens: error: {trap}: not a readable PyTorch checkpoint (it holds Python objects besides "
                   f"weights, such as posix.mkdir, which FaceLens does not load because that could run code); "
                   f"expected the SAM 2.1 tiny checkpoint sam2.1_hiera_tiny.pt\n")
    assert not ran.exists()


def test_a_checkpoint_that_cannot_be_read_is_one_line_naming_it(capsys, facelens_home):
    # A file its user may not read (chmod 000): torch.load's error was caught, then the look at its first bytes
    # (to tell a text file) failed the same way and came out as a traceback. /proc/self/mem fails the same way
    # for any user, root too: it opens, and reading it is an input/output error.
    unreadable = Path("/proc/self/mem")
    with pytest.raises(InputError, match=r"^/proc/self/mem: the file cannot be read \(Input/output error\); check "
                                         r"its permissions; expected the SAM 2\.1 tiny checkpoint"):
        read_state_dict(unreadable, model_entry(TINY))
    err = run_main(capsys, "models", "use", TINY, "--checkpoint", unreadable, code=2).err
    assert err.strip().count("\n") == 0 and "/mem: the file cannot be read (Input/output error)" in err  # (resolved)


def test_models_list_with_a_name_lists_that_model_only(capsys, facelens_home):
    # It printed every model, the name ignored, with exit 0.
    rows = main_json(capsys, "models", "list", "tiny")["models"]
    assert [r["model"] for r in rows] == [TINY]
    assert len(main_json(capsys, "models", "list")["models"]) == 4
    err = run_main(capsys, "models", "list", "huge", code=2).err
    assert "huge" in err and err.strip().count("\n") == 0
