"""Adding labels and taxonomies to a project: the one place the Labels panel and ``main.py labels`` go through.

Both end in ``LabelRepository.add_taxonomy``, which stores the taxonomy in the project (its definition too, so
the project does not depend on the file) and writes the audit entry. What is checked here first: a label
goes into a class taxonomy the project has, under a name it does not have yet, with a colour like ``#e6194b``
and a key (``0``-``9`` or ``-``, the keys the Labels panel and the emotion tiers use) no other label of that
taxonomy has; a taxonomy file is read as ``annotation/taxonomies/*.json`` are, and one that brings nothing
new is refused rather than reported as imported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from annotation.errors import InputError
from annotation.taxonomy import PALETTE, LabelDef, Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from storage.project import Project

LABEL_KEYS = tuple("1234567890-")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class TaxonomyImport:
    taxonomy: Taxonomy  # as the project has it now
    added: list[str]  # the labels the file brought
    kept: list[str]  # labels of the file the project had already (kept as the project has them)
    new: bool  # the project did not have this taxonomy before

    def summary(self) -> str:
        what = f"taxonomy '{self.taxonomy.name}'"
        if self.taxonomy.kind != "classes":
            return f"imported {what} ({self.taxonomy.kind})"
        text = (f"imported {what} with {len(self.added)} labels" if self.new
                else f"added {len(self.added)} labels to {what}")
        text += f": {', '.join(self.added)}" if self.added else ""
        if self.kept:
            text += f" ({len(self.kept)} already there kept as they were: {', '.join(self.kept)})"
        return text


def _existing(project: "Project", taxonomy: str) -> Taxonomy:
    found = project.labels.taxonomy(taxonomy)
    if found is None:
        names = ", ".join(project.labels.taxonomy_names()) or "none"
        raise InputError(f"the project has no taxonomy {taxonomy!r} (it has {names}); 'labels import' adds one "
                         "from a JSON file, --new starts an empty one", field="taxonomy")
    return found


def next_color(taxonomy: Taxonomy | None) -> str:
    """A palette colour no label of ``taxonomy`` has yet (the palette again when all are taken)."""
    used = {l.color.lower() for l in taxonomy.labels} if taxonomy else set()
    return next((c for c in PALETTE if c not in used), PALETTE[len(used) % len(PALETTE)])


def add_label(project: "Project", taxonomy: str, name: str, color: str | None = None, key: str = "",
              new_taxonomy: bool = False) -> Taxonomy:
    """Add label ``name`` to class taxonomy ``taxonomy`` (with ``new_taxonomy``, start that taxonomy when the
    project has none of that name). Returns the taxonomy as the project has it now."""
    taxonomy = taxonomy.strip()
    if not taxonomy:
        raise InputError("must not be empty", field="taxonomy")
    if new_taxonomy and project.labels.taxonomy(taxonomy) is None:
        existing = Taxonomy(name=taxonomy, title=taxonomy, kind="classes", source="added in FaceLens")
    else:
        existing = _existing(project, taxonomy)
    if existing.kind != "classes":
        raise InputError(f"taxonomy {taxonomy!r} is a {existing.kind}, which has no labels to add to",
                         field="taxonomy")
    name = name.strip()
    if not name:
        raise InputError("must not be empty", field="name")
    if name in existing.names():
        raise InputError(f"taxonomy {taxonomy!r} already has a label {name!r}", field="name")
    color = (color or next_color(existing)).strip()
    if not _COLOR.match(color):
        raise InputError(f"expected a colour like #e6194b, got {color!r}", field="color")
    key = key.strip()
    if key:
        if key not in LABEL_KEYS:
            raise InputError(f"expected one of {' '.join(LABEL_KEYS)} (or none), got {key!r}", field="key")
        taken = next((l.name for l in existing.labels if l.key == key), None)
        if taken:
            free = [k for k in LABEL_KEYS if k not in {l.key for l in existing.labels}]
            raise InputError(f"key {key} is taken by label {taken!r} in taxonomy {taxonomy!r}; expected a free key "
                             f"({' '.join(free) if free else 'none is left'}) or none", field="key")
    label = LabelDef(name, color.lower(), key)
    return project.labels.add_taxonomy(replace(existing, labels=existing.labels + (label,)))


def import_taxonomy(project: "Project", path: str | Path) -> TaxonomyImport:
    """Add the taxonomy in a JSON file (the format of ``annotation/taxonomies/*.json``), or the labels it has
    that the project's taxonomy of that name lacks. A file that adds nothing is refused."""
    path = Path(path)
    incoming = load_taxonomy(path)
    before = project.labels.taxonomy(incoming.name)
    if before is not None and before.kind != incoming.kind:
        raise InputError(f"the project's taxonomy {incoming.name!r} is a {before.kind}, not a {incoming.kind}",
                         path=str(path), field="kind")
    have = set(before.names()) if before else set()
    added = [n for n in incoming.names() if n not in have]
    kept = [n for n in incoming.names() if n in have]
    if before is not None and not added:
        what = f" with all {len(kept)} of its labels" if kept else ""
        raise InputError(f"the project already has taxonomy {incoming.name!r}{what}; nothing was added",
                         path=str(path), field="name")
    keys = {l.key: f"label {l.name!r} in the project's taxonomy" for l in before.labels if l.key} if before else {}
    for i, label in enumerate(incoming.labels):
        if label.name not in added or not label.key:
            continue
        where = dict(path=str(path), field=f"labels[{i}].key")
        if label.key not in LABEL_KEYS:
            raise InputError(f"expected one of {' '.join(LABEL_KEYS)} (or none), got {label.key!r}", **where)
        if label.key in keys:
            raise InputError(f"key {label.key} is taken by {keys[label.key]}: expected a key of its own (or none)",
                             **where)
        keys[label.key] = f"label {label.name!r} (labels[{i}])"
    stored = project.labels.add_taxonomy(incoming)
    return TaxonomyImport(stored, added, kept, before is None)
