"""The emotion classes offered for labelling: a built-in emotion taxonomy or one of the project's, each class
with its colour and key (the taxonomy's own key, else its position 1-9, 0)."""
from __future__ import annotations

from dataclasses import dataclass

from annotation.emotion.labels import emotion_classes

DEFAULT_TAXONOMY = "emotion7"


@dataclass(frozen=True)
class EmotionClass:
    name: str
    color: str
    key: str


def class_taxonomies(project) -> dict:
    """Built-in emotion class taxonomies, then the project's own class taxonomies other than the built-ins."""
    out = dict(emotion_classes())
    if project is not None:
        for name in project.labels.taxonomy_names():
            t = project.labels.taxonomy(name)
            if t is not None and t.kind == "classes" and name not in out and name != "faces":
                out[name] = t
    return out


def classes_of(taxonomy) -> list[EmotionClass]:
    used, out = set(), []
    for i, label in enumerate(taxonomy.labels):
        key = label.key if label.key and label.key not in used else (str((i + 1) % 10) if i < 10 else "")
        if key in used:
            key = ""
        used.add(key)
        out.append(EmotionClass(label.name, label.color, key))
    return out
