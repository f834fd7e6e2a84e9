"""Which label names an emotion track accepts: the classes of the built-in emotion taxonomies (7 basic, 3
sentiment, DFEW, FERV39k, MAFW) and of any class taxonomy the project holds (a user's own)."""
from __future__ import annotations

from annotation.taxonomy import Taxonomy, builtin_taxonomies

VALUE_RANGES = {"valence": (-1.0, 1.0), "arousal": (-1.0, 1.0), "intensity": (0.0, 3.0)}


def emotion_taxonomies() -> dict[str, Taxonomy]:
    return {name: t for name, t in builtin_taxonomies().items() if t.extra.get("domain") == "emotion"}


def emotion_classes() -> dict[str, Taxonomy]:
    return {name: t for name, t in emotion_taxonomies().items() if t.kind == "classes"}


def known_labels(extra: list[Taxonomy] = ()) -> set[str]:
    """Class names of the built-in emotion taxonomies and of ``extra`` (a project's taxonomies), leaving out
    the built-in taxonomies that are not about emotion (faces: face, eye, mouth...)."""
    other_builtins = {name for name, t in builtin_taxonomies().items() if t.extra.get("domain") != "emotion"}
    names = {n for t in emotion_classes().values() for n in t.names()}
    return names | {n for t in extra if t.kind == "classes" and t.name not in other_builtins for n in t.names()}
