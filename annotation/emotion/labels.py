"""Which label names an emotion track accepts: the classes of the built-in emotion taxonomies (7 basic, 3
sentiment, DFEW, FERV39k, MAFW) and of any class taxonomy the project holds (a user's own)."""
from __future__ import annotations

import difflib

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


def unknown_label(label: str, known: set[str]) -> str:
    """Why ``label`` is refused, with the name the user probably meant: the same name in other letters, a
    dataset's own spelling of a class (DFEW's and FERV39k's "Angry" is anger), or a close spelling."""
    spellings = {name.lower(): name for name in known}
    for t in emotion_classes().values():
        spellings.update({their.lower(): ours for ours, their in t.extra.get("dataset_names", {}).items()})
    guess = spellings.get(label.strip().lower())
    if guess is None:
        close = difflib.get_close_matches(label.strip().lower(), list(spellings), n=1, cutoff=0.7)
        guess = spellings[close[0]] if close else None
    hint = f"did you mean {guess!r}? " if guess else ""
    return (f"unknown label {label!r}; {hint}labels are class names such as {', '.join(sorted(known)[:8])} ... "
            f"(or add your taxonomy to the project: python main.py labels import DIR FILE.json)")
