"""Running ``main.main`` inside the test process: the same parser and handlers as ``tests.cli.run_cli``, without
paying for a new Python process per command (tests.cli still checks the real process: exit codes, stderr)."""
from __future__ import annotations

import json

import main


def run_main(capsys, *args, code: int = 0):
    rc = main.main([str(a) for a in args])
    out = capsys.readouterr()
    assert rc == code, f"exit {rc}\nstdout: {out.out}\nstderr: {out.err}"
    return out


def main_json(capsys, *args, code: int = 0):
    return json.loads(run_main(capsys, *args, "--json", code=code).out)
