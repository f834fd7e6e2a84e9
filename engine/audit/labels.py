"""The words a score file may use for ground truth and splits, and what they mean."""
from __future__ import annotations

BONA_FIDE, ATTACK = "bona_fide", "attack"

LABEL_WORDS = {
    **dict.fromkeys(("bona_fide", "bonafide", "bona-fide", "bona fide", "live", "real", "genuine", "0"), BONA_FIDE),
    **dict.fromkeys(("attack", "fake", "spoof", "1"), ATTACK),
}
SPLITS = ("dev", "test")
UNSPECIFIED_ATTACK = "unspecified"  # the attack type of an attack row that names none


def label_of(word) -> str | None:
    """The label a cell means; None for an empty cell; KeyError for a word that is not a label."""
    if word is None:
        return None
    text = str(word).strip().lower()
    if isinstance(word, bool):
        text = "1" if word else "0"
    if text.endswith(".0") and text[:-2] in ("0", "1"):
        text = text[:-2]
    if text == "":
        return None
    return LABEL_WORDS[text]


def expected_labels() -> str:
    return "bona_fide (or live, real, 0) or attack (or fake, spoof, 1)"
