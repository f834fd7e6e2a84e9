"""Running ``main.py`` as a user does: a separate process, its output and exit code."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parents[1] / "main.py"


def run_cli(*args, check: int | None = 0) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, str(MAIN), *map(str, args)], capture_output=True, text=True,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=600)
    if check is not None:
        assert p.returncode == check, f"exit {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}"
    return p


def run_json(*args, check: int | None = 0):
    return json.loads(run_cli(*args, "--json", check=check).stdout)
