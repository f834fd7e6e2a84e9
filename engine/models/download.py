"""Downloading an official checkpoint, only when the user asks (``models download`` or the Models menu).

The file's SHA-256 must equal the published one: pinned in the model's entry where known, otherwise read from
the Hugging Face model repository, which publishes the SHA-256 of every large file it serves. The download goes
to a ``.part`` file beside the target and is renamed into place only once its hash checks out. Nothing is
ever fetched at run time without being asked.
"""
from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from annotation.errors import FaceLensError
from engine.models.registry import ModelEntry
from engine.models.weights import missing_message, models_dir

CHUNK = 1 << 20


def _hf_file_url(repo: str, filename: str) -> str:
    return f"https://huggingface.co/{repo}/resolve/main/{filename}"


def published_sha256(entry: ModelEntry, timeout: float = 30) -> str:
    c = entry.checkpoint
    if c.sha256:
        return c.sha256.lower()
    if not c.hf_repo:
        raise FaceLensError(f"no published SHA-256 is known for {c.filename}; download it yourself: "
                            f"{missing_message(entry)}")
    with urllib.request.urlopen(f"https://huggingface.co/api/models/{c.hf_repo}?blobs=true", timeout=timeout) as r:
        info = json.load(r)
    for sibling in info.get("siblings", []):
        if sibling.get("rfilename") == c.filename and (sibling.get("lfs") or {}).get("sha256"):
            return sibling["lfs"]["sha256"].lower()
    raise FaceLensError(f"{c.hf_repo} publishes no SHA-256 for {c.filename}; {missing_message(entry)}")


def download_checkpoint(entry: ModelEntry, dest_dir: Path | None = None, timeout: float = 30,
                        progress: Callable[[int, int | None], None] | None = None) -> Path:
    """Fetch ``entry``'s checkpoint into the models folder, check its SHA-256, and return its path."""
    c = entry.checkpoint
    dest = Path(dest_dir or models_dir()) / c.filename
    part = dest.with_name(dest.name + ".part")
    url = _hf_file_url(c.hf_repo, c.filename) if c.hf_repo and not c.sha256 else c.url
    try:
        expected = published_sha256(entry, timeout)
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest, done = hashlib.sha256(), 0
        with urllib.request.urlopen(url, timeout=timeout) as r, open(part, "wb") as out:
            total = int(r.headers.get("Content-Length") or 0) or None
            while chunk := r.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        part.unlink(missing_ok=True)
        reason = getattr(e, "reason", None) or e
        raise FaceLensError(f"cannot download {c.filename} ({reason}); this machine looks offline: "
                            f"{missing_message(entry)}") from None
    if digest.hexdigest() != expected:
        part.unlink(missing_ok=True)
        raise FaceLensError(f"the downloaded {c.filename} has SHA-256 {digest.hexdigest()}, not the published "
                            f"{expected}; it was not kept (try again, or download it yourself)")
    os.replace(part, dest)
    return dest
