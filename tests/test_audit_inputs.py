"""Out-of-range options of the audit commands: refused in one line with exit 2, never half-applied.

The commands run ``main.main`` in this process, on a real project with a labelled run that has features.
"""
from __future__ import annotations

import json

import pytest

import main
from annotation.errors import FaceLensError
from engine.audit.bootstrap import bootstrap_ci
from engine.audit.importer import import_scores
from engine.audit.review import QueueSettings, build_queue
from storage.project import Project
from tests.audit_factory import make_dataset


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """A project with run 1: dev and test splits, three attack types, feature vectors."""
    root = tmp_path_factory.mktemp("inputs")
    data = make_dataset(root / "data", per_class=10, unseen=3)
    with Project.create(root / "case") as project:
        import_scores(project, data.csv, data.features)
    return root / "case"


def run_main(capsys, *args) -> tuple[int, str, str]:
    try:
        rc = main.main([str(a) for a in args])
    except SystemExit as e:  # argparse's own refusals
        rc = e.code
    out = capsys.readouterr()
    return rc, out.out, out.err


def _audit_entries(proj) -> int:
    with Project.open(proj) as project:
        return len(project.audit.entries())


@pytest.mark.parametrize("args, message", [
    (("metrics", "--bootstrap", "-5"), "argument --bootstrap: expected a whole number of rounds, 0 or more, got '-5'"),
    (("report", "--bootstrap", "-5"), "argument --bootstrap: expected a whole number of rounds, 0 or more, got '-5'"),
    (("queue", "--reject", "2"), "argument --reject: expected a number in [0, 1), got '2'"),
    (("report", "--reject", "2"), "argument --reject: expected a number in [0, 1), got '2'"),
    (("confidence", "--reject", "1"), "argument --reject: expected a number in [0, 1), got '1'"),
    (("queue", "--band", "-1"), "argument --band: expected a number in [0, 0.5], got '-1'"),
    (("queue", "--band", "2"), "argument --band: expected a number in [0, 0.5], got '2'"),
    (("report", "--band", "2"), "argument --band: expected a number in [0, 0.5], got '2'"),
    (("queue", "--threshold", "5"), "argument --threshold: expected a number in [0, 1], got '5'"),
    (("metrics", "--target-apcer", "nan"), "argument --target-apcer: expected a number in [0, 1], got 'nan'"),
])
def test_an_out_of_range_option_is_refused_in_one_line_and_nothing_is_written(capsys, case, tmp_path, args,
                                                                                message):
    command, *options = args
    out = tmp_path / "r.html"
    extra = ["--out", out] if command == "report" else []
    before = _audit_entries(case)
    rc, stdout, err = run_main(capsys, "audit", command, case, 1, *extra, *options)
    assert rc == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert stdout == "" and not out.exists() and _audit_entries(case) == before


def test_in_range_options_at_their_edges_are_accepted(capsys, case):
    rc, stdout, err = run_main(capsys, "audit", "queue", case, 1, "--reject", "0", "--band", "0", "--json")
    assert rc == 0, err
    reasons = {r for i in json.loads(stdout)["items"] for r in i["reasons"]}
    assert "near_threshold" not in reasons and "outside_knowledge" not in reasons  # both flags turned off
    rc, stdout, err = run_main(capsys, "audit", "metrics", case, 1, "--bootstrap", "0", "--json")
    assert rc == 0 and "ci" not in json.loads(stdout), err


def test_the_queue_chooses_its_threshold_by_the_target_apcer_it_is_given(capsys, case):
    rc, stdout, _ = run_main(capsys, "audit", "metrics", case, 1, "--target-apcer", "0", "--json")
    wanted = json.loads(stdout)["threshold"]
    rc, stdout, err = run_main(capsys, "audit", "queue", case, 1, "--target-apcer", "0", "--json")
    q = json.loads(stdout)
    assert rc == 0 and q["threshold_method"] == "target_apcer" and q["threshold"] == wanted, err


def test_the_queue_refuses_settings_out_of_range_instead_of_dropping_a_flag(case):
    with Project.open(case) as project:
        with pytest.raises(FaceLensError, match=r"the fraction to reject must be in \[0, 1\), got 2"):
            build_queue(project, 1, QueueSettings(reject=2))
        with pytest.raises(FaceLensError, match=r"the band around the threshold must be in \[0, 0.5\], got -1"):
            build_queue(project, 1, QueueSettings(band=-1))


def test_bootstrap_refuses_negative_rounds_wherever_it_is_called_from():
    with pytest.raises(FaceLensError, match="bootstrap rounds must be 0 or more, got -5"):
        bootstrap_ci([0.1, 0.9], [0, 1], [None, "print"], 0.5, rounds=-5)
