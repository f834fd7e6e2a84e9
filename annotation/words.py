"""Counting things in the user's words: "1 frame", "2 frames" (messages said "over 1 frames")."""
from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
