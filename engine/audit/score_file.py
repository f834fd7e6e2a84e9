"""Reading a detector's score file (CSV or JSON) into checked rows, each remembering the line it came from.

Columns: ``media`` (a project media id or a file path), optional ``frame`` and ``face``, ``score`` (the
probability of fake or attack, in [0, 1]), optional ``label``, ``attack_type`` and ``split``. Every problem is
an ``InputError`` naming the file, the line as the user sees it (the CSV header is line 1) and the field; in a
JSON file whose rows share a line (a minified one) the field names the row too, as in ``results[2].score``.
A JSON file is a list of row objects, or an object with ``results`` (that list) and optionally ``model``,
``version`` and ``params``.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from annotation.errors import InputError
from engine.audit.labels import ATTACK, BONA_FIDE, SPLITS, expected_labels, label_of

COLUMNS = ("media", "frame", "face", "score", "label", "attack_type", "split")
REQUIRED = ("media", "score")


@dataclass
class ScoreRow:
    line: int
    media: int | str  # a media id, or a path as written in the file
    score: float
    frame: int | None = None
    face: int | None = None
    label: str | None = None
    attack_type: str | None = None
    split: str | None = None
    where: str | None = None  # a JSON row's place ("results[2]") when its line does not single it out

    @property
    def place(self) -> str:
        """How a message names this row to the user: its line, and its place in a JSON file where needed."""
        if self.line is None:
            return self.where or "?"
        return f"line {self.line}" + (f" ({self.where})" if self.where else "")

    def error(self, message: str, path: Path, name: str | None = None) -> InputError:
        """An error about this row (its field ``name``), naming the file, the line and the place in a JSON file."""
        return InputError(message, path=str(path), line=self.line, field=".".join(p for p in (self.where, name) if p)
                          or None)


@dataclass
class ScoreFile:
    path: Path
    rows: list[ScoreRow]
    meta: dict = field(default_factory=dict)  # model, version, params given inside a JSON file
    ignored_columns: list[str] = field(default_factory=list)


def read_score_file(path: str | Path) -> ScoreFile:
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=str(path))
    reader = READERS.get(path.suffix.lower())  # before reading: a .npy given here is named for what it is
    if reader is None:
        raise InputError(f"expected a .csv or .json score file, not '{path.suffix}'", path=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (byte {e.start})", path=str(path)) from None
    return reader(path, text)


# --- CSV ---------------------------------------------------------------------------------------------------
def _read_csv(path: Path, text: str) -> ScoreFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the file is empty (expected a header line naming the columns)", path=str(path)) from None
    names = [h.strip().lower() for h in header]
    if not any(names):
        raise InputError("the first line is empty (expected a header naming the columns: "
                         f"{', '.join(COLUMNS)})", path=str(path), line=1)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        other = next((sep for sep in (";", "\t", "|") if len(names) == 1 and sep in names[0]), None)
        hint = f"; its columns look separated by {'a tab' if other == chr(9) else repr(other)}: FaceLens reads " \
               f"comma-separated files (save it as CSV with commas)" if other else ""
        raise InputError(f"missing column {', '.join(repr(c) for c in missing)} (the header has "
                         f"{', '.join(repr(n) for n in names)}; expected {', '.join(COLUMNS)}){hint}", path=str(path),
                         line=1)
    dupes = sorted({n for n in names if names.count(n) > 1 and n})
    if dupes:
        raise InputError(f"column {dupes[0]!r} appears twice in the header", path=str(path), line=1)
    rows, next_line = [], 2
    for cells in reader:
        line, next_line = next_line, reader.line_num + 1  # a quoted cell may span lines
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(names):
            raise InputError(f"{len(cells)} cells, the header has {len(names)}", path=str(path), line=line)
        record = {n: c for n, c in zip(names, cells) if n in COLUMNS}
        rows.append(_check_row(path, line, record))
    if not rows:
        raise InputError("no data rows after the header", path=str(path))
    return ScoreFile(path, rows, ignored_columns=[n for n in names if n not in COLUMNS])


def check_params(params: dict, **where) -> None:
    """A run's parameters go into its audit entry, which is strict JSON: NaN and Infinity cannot (a traceback)."""
    try:
        json.dumps(params, allow_nan=False)
    except ValueError:
        raise InputError("NaN and Infinity cannot be stored as parameters (the audit log is strict JSON): give "
                         "them as text, such as \"nan\"", **where) from None


# --- JSON --------------------------------------------------------------------------------------------------
def _read_json(path: Path, text: str) -> ScoreFile:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"not valid JSON ({e.msg})", path=str(path), line=e.lineno) from None
    meta = {}
    if isinstance(doc, dict):
        if not isinstance(doc.get("results"), list):
            raise InputError("expected a list of rows, or an object with a 'results' list", path=str(path),
                             field="results")
        meta = {k: doc[k] for k in ("model", "version", "params") if k in doc}
        if "params" in meta and not isinstance(meta["params"], dict):
            raise InputError("expected an object of parameters", path=str(path), field="params")
        if "params" in meta:
            check_params(meta["params"], path=str(path), field="params")
        for key in ("model", "version"):  # (stored as text: a number was logged as one and stored as text, and
            value = meta.get(key)          # `verify` then took the run for changed after it was recorded)
            if isinstance(value, bool) or not isinstance(value, (str, int, float, type(None))):
                raise InputError(f"expected the {key} as text, not {json.dumps(value)}", path=str(path), field=key)
            if value is not None:
                meta[key] = str(value)
        records = doc["results"]
    elif isinstance(doc, list):
        records = doc
    else:
        raise InputError("expected a list of rows, or an object with a 'results' list", path=str(path))
    if not records:
        raise InputError("no rows in the file", path=str(path))
    lines = _record_lines(text, records)
    shared = {n for n, k in Counter(lines).items() if k > 1} if lines else set()  # minified: every row on line 1
    prefix = "results" if isinstance(doc, dict) else ""
    rows = []
    for i, rec in enumerate(records):
        line = lines[i] if lines else None
        where = f"{prefix}[{i}]" if line is None or line in shared else None
        if not isinstance(rec, dict):
            raise InputError("expected an object with 'media' and 'score'", path=str(path), line=line, field=where)
        unknown = [k for k in rec if k.lower() not in COLUMNS]
        record = {k.lower(): v for k, v in rec.items() if k.lower() in COLUMNS}
        for c in REQUIRED:
            if c not in record:
                raise InputError(f"missing {c!r} (expected {', '.join(COLUMNS)}"
                                 f"{'; found ' + ', '.join(unknown) if unknown else ''})", path=str(path),
                                 line=line, field=f"{where}.{c}" if where else c)
        rows.append(_check_row(path, line, record, where))
    return ScoreFile(path, rows, meta)


def _record_lines(text: str, records: list) -> list[int] | None:
    """The line on which each record of the row list starts, or None if they cannot be located reliably."""
    m = re.match(r"\s*\[", text) or re.search(r'"results"\s*:\s*\[', text)
    if not m:
        return None
    dec, pos, lines = json.JSONDecoder(), m.end(), []
    try:
        for rec in records:
            while text[pos] in " \t\r\n,":
                pos += 1
            value, end = dec.raw_decode(text, pos)
            if value != rec:
                return None
            lines.append(text.count("\n", 0, pos) + 1)
            pos = end
    except (ValueError, IndexError):
        return None
    return lines


# --- one row -----------------------------------------------------------------------------------------------
def _blank(v) -> bool:
    return v is None or (v.__class__ is str and (not v or v.isspace()))


class _Bad(ValueError):
    """A cell that is not what its column expects: (field, message)."""


def _index(v, name: str) -> int | None:
    if _blank(v):
        return None
    if v.__class__ is str:
        v = v.strip()
        if not v.isdigit():
            raise _Bad(name, f"expected a whole number 0 or more, got {v!r}")
        return int(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise _Bad(name, f"expected a whole number 0 or more, got {v!r}")
    if v < 0:
        raise _Bad(name, f"expected a whole number 0 or more, got {v!r}")
    return int(v)


def _score(raw) -> float:
    try:
        if isinstance(raw, bool) or _blank(raw):
            raise ValueError
        score = float(raw)
    except (TypeError, ValueError):
        raise _Bad("score", f"expected a number in [0, 1], got {raw!r}") from None
    if not (0.0 <= score <= 1.0):  # also refuses NaN
        raise _Bad("score", f"{raw!r} is outside [0, 1] (expected the probability of fake or attack)")
    return score


def _media(media) -> int | str:
    if _blank(media) or isinstance(media, (bool, float, list, dict)):
        raise _Bad("media", f"expected a media id or a file path, got {media!r}")
    if media.__class__ is str:
        media = media.strip()
        return int(media) if media.isdigit() else media
    return media


def _label_and_type(rec: dict) -> tuple[str | None, str | None]:
    try:
        label = label_of(rec.get("label"))
    except (KeyError, AttributeError):
        raise _Bad("label", f"unknown label {rec.get('label')!r} (expected {expected_labels()})") from None
    attack_type = rec.get("attack_type")
    attack_type = None if _blank(attack_type) else str(attack_type).strip()
    if attack_type is not None and label == BONA_FIDE:
        try:
            same = label_of(attack_type) == BONA_FIDE
        except KeyError:
            same = False
        if not same:
            raise _Bad("attack_type", f"attack type {attack_type!r} given for a bona fide row")
        attack_type = None
    if attack_type is not None and label is None:
        label = ATTACK  # naming the attack says it is one
    return label, attack_type


def _split(v) -> str | None:
    if _blank(v):
        return None
    split = str(v).strip().lower()
    if split not in SPLITS:
        raise _Bad("split", f"unknown split {v!r} (expected {' or '.join(SPLITS)})")
    return split


def _check_row(path: Path, line: int | None, rec: dict, where: str | None = None) -> ScoreRow:
    try:
        media = _media(rec.get("media"))
        score = _score(rec.get("score"))
        frame, face = _index(rec.get("frame"), "frame"), _index(rec.get("face"), "face")
        label, attack_type = _label_and_type(rec)
        split = _split(rec.get("split"))
    except _Bad as e:
        name, message = e.args
        raise InputError(message, path=str(path), line=line, field=f"{where}.{name}" if where else name) from None
    return ScoreRow(line, media, score, frame, face, label, attack_type, split, where)


READERS = {".csv": _read_csv, ".json": _read_json}
