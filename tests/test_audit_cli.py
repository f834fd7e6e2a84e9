"""The audit commands as a user types them: import, metrics, confidence, queue, verdict, report, verify-report.

Most calls run ``main.main`` in this process (the same parser and handlers, without paying for a fresh Python
and its imports each time); the error test runs the real command line to check there is no traceback.
"""
from __future__ import annotations

import json

import pytest

import main
from tests.audit_factory import make_dataset, write_csv
from tests.cli import run_cli

METRIC_KEYS = ["n_bona_fide", "n_attack", "auc", "eer", "eer_threshold", "threshold", "acc", "apcer", "apcer_max",
               "bpcer", "acer", "hter", "bpcer_at_apcer_5", "bpcer_at_apcer_10"]


def cli(capsys, *args, code: int = 0):
    rc = main.main([str(a) for a in args])
    out = capsys.readouterr()
    assert rc == code, f"exit {rc}\nstdout: {out.out}\nstderr: {out.err}"
    return out


def cli_json(capsys, *args, code: int = 0):
    return json.loads(cli(capsys, *args, "--json", code=code).out)


def test_a_reviewer_works_through_a_run_from_the_command_line(capsys, tmp_path):
    proj = tmp_path / "case"
    cli(capsys, "new", proj)
    data = make_dataset(tmp_path / "data", per_class=20, unseen=6)
    imported = cli_json(capsys, "audit", "import", proj, data.csv, "--features", data.features, "--model", "xception")
    assert imported == {"run_id": 1, "rows": 126, "media": 8, "new_media": list(range(1, 9)), "ignored_columns": [],
                        "notes": []}

    m = cli_json(capsys, "audit", "metrics", proj, 1)
    assert list(m) == METRIC_KEYS and m["n_bona_fide"] == 20 and m["n_attack"] == 46
    assert set(m["apcer"]) == {"print", "replay", "mask"} and m["apcer_max"] == max(m["apcer"].values())
    assert cli_json(capsys, "audit", "metrics", proj, 1, "--threshold", 0.5)["threshold"] == 0.5
    video = cli_json(capsys, "audit", "metrics", proj, 1, "--level", "video", "--target-apcer", 0.1)
    assert video["n_bona_fide"] == 2 and video["n_attack"] == 2  # two live photos; the attack photo and video
    assert "ROC AUC" in cli(capsys, "audit", "metrics", proj, 1, "--split", "dev").out
    # how the threshold came to be, in words ("(given, given)" said nothing)
    assert "threshold 0.5000 (given by the reviewer)" in cli(capsys, "audit", "metrics", proj, 1, "--threshold",
                                                              0.5).out
    assert "(eer, chosen on dev)" in cli(capsys, "audit", "metrics", proj, 1).out

    conf = cli_json(capsys, "audit", "confidence", proj, 1, "--reject", 0.1)
    assert list(conf) == ["threshold", "flagged", "aurc_score", "aurc_mahalanobis"]
    assert len(conf["flagged"]) == 7  # 10% of the 66 test rows, the 6 unseen mask attacks among them

    queue = cli_json(capsys, "audit", "queue", proj, 1)
    first = queue["items"][0]
    assert first["risk"] == max(i["risk"] for i in queue["items"]) and first["verdict"] is None
    v = cli_json(capsys, "audit", "verdict", proj, first["result_id"], "deepfake", "--note", "warped ear")
    assert v["verdict"] == "deepfake" and v["note"] == "warped ear" and v["reviewer"] == "tester"
    assert "-> deepfake (tester)" in cli(capsys, "audit", "queue", proj, 1).out

    report = tmp_path / "case.html"
    assert "wrote" in cli(capsys, "audit", "report", proj, 1, "--out", report, "--bootstrap", 50).out
    assert "verify-report: ok" in cli(capsys, "audit", "verify-report", proj, report).out
    cli(capsys, "audit", "verdict", proj, first["result_id"], "bona_fide", "--note", "on second thought")
    out = cli(capsys, "audit", "verify-report", proj, report, code=1)
    assert "was recorded after the report and is not in it" in out.out
    assert "no longer matches the project" in out.err
    assert "1  xception" in cli(capsys, "audit", "runs", proj).out


@pytest.mark.parametrize("args, message", [
    (("audit", "metrics", "{proj}", "7"), "no detector run 7 in this project"),
    (("audit", "verify-report", "{proj}", "{tmp}/nothing.html"), "nothing.html: no such report file"),
    (("audit", "report", "{proj}", "1", "--out", "{tmp}/r.docx"), "r.docx: expected a report file ending in"),
    (("audit", "import", "{proj}", "{tmp}/bad.csv"), "bad.csv, line 3, field 'score': '2' is outside [0, 1]"),
    (("audit", "verdict", "{proj}", "5", "maybe"), "argument verdict: invalid choice: 'maybe'"),
    (("audit", "confidence", "{proj}", "7"), "no detector run 7 in this project"),
    (("audit", "import", "{proj}", "{tmp}/features.npy"), "features.npy: expected a .csv or .json score file"),
    (("audit", "import", "{proj}", "{tmp}/blank.csv"), "blank.csv, line 1: the first line is empty"),
])
def test_errors_are_one_line_and_change_nothing(capsys, tmp_path, args, message):
    proj = tmp_path / "case"
    cli(capsys, "new", proj)
    (tmp_path / "bad.csv").write_text("media,score\n1,0.5\n1,2\n")
    (tmp_path / "blank.csv").write_text("\nmedia,score\n")
    (tmp_path / "features.npy").write_bytes(b"\x93NUMPY\x01\x00")
    fill = {"proj": proj, "tmp": tmp_path}
    try:
        rc = main.main([a.format(**fill) for a in args])
    except SystemExit as e:  # argparse's own refusals
        rc = e.code
    err = capsys.readouterr().err
    assert rc == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_import_says_in_json_what_it_says_in_text_and_refuses_a_file_imported_before(capsys, tmp_path):
    proj = tmp_path / "case"
    cli(capsys, "new", proj)
    data = make_dataset(tmp_path / "data", per_class=2, unseen=0)
    extra = write_csv(tmp_path / "data" / "extra.csv", [{**r, "note": "x"} for r in data.rows])
    text = cli(capsys, "audit", "import", proj, extra).out
    assert "ignored columns: note" in text
    first = cli_json(capsys, "audit", "import", proj, data.csv)
    assert first["ignored_columns"] == [] and first["new_media"] == []
    assert first["notes"] == []  # extra.csv holds another column, so other bytes: not the same file
    err = cli(capsys, "audit", "import", proj, data.csv, code=2).err
    assert err.startswith(f"facelens: error: {data.csv}: already imported as detector run {first['run_id']} ")
    assert err.strip().endswith("nothing was imported (give --allow-duplicate to import it as another run)")
    assert len(err.strip().splitlines()) == 1
    again = cli_json(capsys, "audit", "import", proj, data.csv, "--allow-duplicate", "--aggregation", "max")
    assert again["notes"] == [f"the same scores are also run {first['run_id']}"]
    out = cli(capsys, "audit", "import", proj, data.csv, "--features", data.features).out  # now with features
    assert out.splitlines()[1:] == [f"note: the same scores are also run {first['run_id']} (without features)",
                                    f"note: the same scores are also run {again['run_id']} (without features)"]
    runs = cli_json(capsys, "audit", "runs", proj)["runs"]
    assert [r["aggregation"] for r in runs] == ["mean", "mean", "max", "mean"]


def test_the_real_command_line_prints_no_traceback(tmp_path):
    run_cli("new", tmp_path / "p")
    p = run_cli("audit", "metrics", tmp_path / "p", "3", check=2)
    assert p.stderr.strip() == "facelens: error: no detector run 3 in this project (see 'audit runs')"
