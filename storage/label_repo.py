"""Label taxonomies and their labels, copied into the project so it does not depend on files elsewhere."""
from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import select

from annotation.errors import InputError
from annotation.model import Label
from annotation.taxonomy import LabelDef, Taxonomy, builtin_taxonomies, parse_taxonomy
from storage.models import Label as LabelRow
from storage.models import Taxonomy as TaxonomyRow
from storage.repository import Repository


class LabelRepository(Repository):
    def add_builtin_taxonomy(self, name: str) -> Taxonomy:
        builtin = builtin_taxonomies()
        if name not in builtin:
            raise InputError(f"no built-in taxonomy {name!r}; there are {', '.join(sorted(builtin))}")
        return self.add_taxonomy(builtin[name])

    def add_taxonomy(self, taxonomy: Taxonomy) -> Taxonomy:
        """Add a taxonomy, or extend one of the same name with the labels it does not have yet."""
        with self._write() as s:
            row = s.scalars(select(TaxonomyRow).where(TaxonomyRow.name == taxonomy.name)).first()
            if row is None:
                row = TaxonomyRow(name=taxonomy.name, title=taxonomy.title, kind=taxonomy.kind, definition="{}",
                                  source=taxonomy.source)
                s.add(row)
                s.flush()
            elif row.kind != taxonomy.kind:
                raise InputError(f"the project's taxonomy {taxonomy.name!r} is of kind {row.kind}, "
                                 f"not {taxonomy.kind}", path=taxonomy.source, field="kind")
            rows = list(s.scalars(select(LabelRow).where(LabelRow.taxonomy_id == row.id).order_by(LabelRow.position)))
            have = {l.name for l in rows}
            new = [l for l in taxonomy.labels if l.name not in have]
            for i, l in enumerate(new, start=len(rows)):
                rows.append(LabelRow(taxonomy_id=row.id, name=l.name, color=l.color, key=l.key, position=i))
                s.add(rows[-1])
            # The stored definition is the taxonomy as the project has it now, labels in their order.
            labels = tuple(LabelDef(l.name, l.color, l.key) for l in rows)
            row.definition = json.dumps(replace(taxonomy, labels=labels).to_dict())
            self._log(s, "add taxonomy", f"taxonomy:{taxonomy.name}",
                      {"labels": [l.name for l in new], "source": taxonomy.source})
        return self.taxonomy(taxonomy.name)

    def taxonomy(self, name: str) -> Taxonomy | None:
        with self._read() as s:
            row = s.scalars(select(TaxonomyRow).where(TaxonomyRow.name == name)).first()
            return parse_taxonomy(json.loads(row.definition), source=row.source) if row else None

    def taxonomy_names(self) -> list[str]:
        with self._read() as s:
            return list(s.scalars(select(TaxonomyRow.name).order_by(TaxonomyRow.id)))

    def all(self, taxonomy: str | None = None) -> list[Label]:
        q = (select(LabelRow, TaxonomyRow.name).join(TaxonomyRow, LabelRow.taxonomy_id == TaxonomyRow.id)
             .order_by(TaxonomyRow.id, LabelRow.position))
        if taxonomy:
            q = q.where(TaxonomyRow.name == taxonomy)
        with self._read() as s:
            return [Label(id=l.id, taxonomy=t, name=l.name, color=l.color, key=l.key) for l, t in s.execute(q)]

    def by_name(self, name: str, taxonomy: str | None = None) -> Label | None:
        for label in self.all(taxonomy):
            if label.name == name:
                return label
        return None
