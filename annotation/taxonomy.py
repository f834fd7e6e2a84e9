"""Label taxonomies, loaded from JSON data files that ship in ``annotation/taxonomies/`` or that a user writes.

A file looks like::

    {"name": "faces", "title": "Faces and people", "kind": "classes",
     "labels": [{"name": "face", "color": "#e6194b", "key": "1"}, ...]}

``kind`` is ``classes`` (a list of names), ``scale`` (a number in ``range``) or ``ordinal`` (integer
``levels``). Labels are identified by name, never by position, because datasets order classes differently.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from annotation.errors import InputError

BUILTIN_DIR = Path(__file__).with_name("taxonomies")
TAXONOMY_KINDS = ("classes", "scale", "ordinal")
# Distinct colours (Sasha Trubetskoy's list) for labels whose file gives none.
PALETTE = ("#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
           "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class LabelDef:
    name: str
    color: str
    key: str = ""


@dataclass(frozen=True)
class Taxonomy:
    name: str
    title: str
    kind: str
    labels: tuple[LabelDef, ...] = ()
    range: tuple[float, float] | None = None  # for a scale
    levels: tuple[int, ...] = ()  # for an ordinal
    source: str = ""
    extra: dict = field(default_factory=dict)

    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def to_dict(self) -> dict:
        d = {"name": self.name, "title": self.title, "kind": self.kind}
        if self.labels:
            d["labels"] = [{"name": l.name, "color": l.color, "key": l.key} for l in self.labels]
        if self.range is not None:
            d["range"] = list(self.range)
        if self.levels:
            d["levels"] = list(self.levels)
        return d


def parse_taxonomy(data: dict, source: str = "") -> Taxonomy:
    def need(key, typ, what):
        if key not in data:
            raise InputError(f"missing; expected {what}", path=source, field=key)
        if not isinstance(data[key], typ):
            raise InputError(f"expected {what}, got {data[key]!r}", path=source, field=key)
        return data[key]

    if not isinstance(data, dict):
        raise InputError("expected a JSON object with name, kind and labels", path=source)
    name = need("name", str, "a taxonomy name").strip()
    if not name:
        raise InputError("must not be empty", path=source, field="name")
    kind = need("kind", str, f"one of {', '.join(TAXONOMY_KINDS)}")
    if kind not in TAXONOMY_KINDS:
        raise InputError(f"expected one of {', '.join(TAXONOMY_KINDS)}, got {kind!r}", path=source, field="kind")
    labels: list[LabelDef] = []
    rng = None
    levels: tuple[int, ...] = ()
    if kind == "classes":
        seen = set()
        for i, item in enumerate(need("labels", list, "a list of labels")):
            where = f"labels[{i}]"
            if isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
                raise InputError(f"expected a name or {{'name': ...}}, got {item!r}", path=source, field=where)
            label_name = item["name"].strip()
            if label_name in seen:
                raise InputError(f"label {label_name!r} appears twice", path=source, field=where)
            seen.add(label_name)
            color = item.get("color") or PALETTE[i % len(PALETTE)]
            if not _COLOR.match(color):
                raise InputError(f"expected a colour like #e6194b, got {color!r}", path=source, field=where + ".color")
            labels.append(LabelDef(label_name, color.lower(), str(item.get("key", ""))))
        if not labels:
            raise InputError("a class taxonomy needs at least one label", path=source, field="labels")
    elif kind == "scale":
        r = need("range", list, "[min, max]")
        if len(r) != 2 or not all(isinstance(v, (int, float)) for v in r) or not r[0] < r[1]:
            raise InputError(f"expected [min, max] with min < max, got {r!r}", path=source, field="range")
        rng = (float(r[0]), float(r[1]))
    else:
        lv = need("levels", list, "a list of integers")
        if not lv or not all(isinstance(v, int) for v in lv):
            raise InputError(f"expected a list of integers, got {lv!r}", path=source, field="levels")
        levels = tuple(lv)
    known = {"name", "title", "kind", "labels", "range", "levels"}
    return Taxonomy(name=name, title=str(data.get("title") or name), kind=kind, labels=tuple(labels),
                    range=rng, levels=levels, source=source, extra={k: v for k, v in data.items() if k not in known})


def load_taxonomy(path: str | Path) -> Taxonomy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"not valid JSON: {e.msg}", path=str(path), line=e.lineno) from None
    return parse_taxonomy(data, source=str(path))


def builtin_taxonomies() -> dict[str, Taxonomy]:
    """The taxonomies that ship with FaceLens, by name."""
    out = {}
    for p in sorted(BUILTIN_DIR.glob("*.json")):
        t = load_taxonomy(p)
        out[t.name] = Taxonomy(**{**t.__dict__, "source": f"builtin:{p.name}"})
    return out
