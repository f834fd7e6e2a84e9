"""Reading a delimited text export (CSV or TSV) column by column, so every bad value can be reported with the
file, the line and the column it came from.

Headers are matched exactly or by prefix (Tobii Pro Lab appends units: ``Gaze point X [DACS px]``), and numbers
may use a decimal comma, as exports made on a German or French system do (their CSVs separate by semicolons).
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from annotation.errors import InputError


@dataclass
class Table:
    path: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # the file line of each row (the header is line 1)

    def find(self, name: str, prefix: bool = False) -> str | None:
        """The header that is ``name`` or, with ``prefix``, that starts with it followed by a unit or note
        (``name [unit]`` before ``name (qualifier)``)."""
        if name in self.header:
            return name
        if not prefix:
            return None
        followers = [h for h in self.header if h.startswith(name + " ")]
        followers.sort(key=lambda h: 0 if h[len(name) + 1:].startswith("[") else 1)
        return followers[0] if followers else None

    def need(self, name: str, prefix: bool = False, what: str = "") -> str:
        found = self.find(name, prefix)
        if found is None:
            expected = f"a column {name!r}{' (optionally followed by a unit)' if prefix else ''}"
            raise InputError(f"missing column; expected {expected}{' ' + what if what else ''}; "
                             f"the file has {', '.join(self.header) or 'no header'}", path=self.path, line=1,
                             field=name)
        return found

    def need_rows(self, what: str = "one row per gaze sample") -> None:
        """A file with its header and nothing after it (an export of an empty recording, say)."""
        if not self.rows:
            raise InputError(f"no rows after the header; expected {what}", path=self.path, line=2)

    def text(self, column: str) -> list[str]:
        i = self.header.index(column)
        return [r[i] if i < len(r) else "" for r in self.rows]

    def numbers(self, column: str, required: bool = True, lo: float | None = None,
                hi: float | None = None) -> np.ndarray:
        """The column as float64; an empty cell is NaN unless ``required``; anything else that is not a finite
        number in [lo, hi] is an error naming its line."""
        out = np.empty(len(self.rows), np.float64)
        for k, cell in enumerate(self.text(column)):
            cell = cell.strip()
            if not cell:
                if required:
                    raise InputError("empty; expected a number", path=self.path, line=self.lines[k], field=column)
                out[k] = math.nan
                continue
            value = parse_number(cell)
            if value is None or not math.isfinite(value):
                raise InputError(f"expected a number, got {cell!r}", path=self.path, line=self.lines[k], field=column)
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise InputError(f"expected a number in [{lo}, {hi}], got {cell}", path=self.path,
                                 line=self.lines[k], field=column)
            out[k] = value
        return out


def parse_number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        if "," in cell and "." not in cell:
            try:
                return float(cell.replace(",", "."))
            except ValueError:
                return None
        return None


DELIMITERS = ("\t", ",", ";")  # in this order on a tie


def guess_delimiter(header: str) -> str:
    """The delimiter the header line has most of: a tab (TSV), a comma, or a semicolon (Excel's CSV on a system
    whose decimal mark is the comma, as in Germany or France); a comma when it has none."""
    best = max(DELIMITERS, key=lambda d: (header.count(d), -DELIMITERS.index(d)))
    return best if best in header else ","


def read_table(path: str | Path, delimiter: str | None = None) -> Table:
    """Read a CSV or TSV file with a header line; the delimiter is guessed from the header when not given."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # old exports; every byte decodes, the numbers are ASCII anyway
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError("empty file; expected a header line", path=str(path), line=1)
    if delimiter is None:
        delimiter = guess_delimiter(lines[0])
    reader = csv.reader(lines, delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    rows, numbers = [], []
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        rows.append(row)
        numbers.append(line_no)
    return Table(str(path), header, rows, numbers)
