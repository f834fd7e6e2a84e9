"""The machine-readable manifest a report carries, so that ``verify`` can check it against the project.

HTML: a ``<script type="application/json" id="facelens-manifest">`` block; the manifest also holds the
SHA-256 of the page with that block emptied, so an edit of the visible text shows. PDF: the document's
Keywords entry, as ``facelens-manifest:`` followed by the zlib-compressed JSON in base64.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from pathlib import Path

from annotation.errors import InputError
from storage.audit import canonical_json

HTML_OPEN = '<script type="application/json" id="facelens-manifest">'
HTML_CLOSE = "</script>"
PDF_PREFIX = "facelens-manifest:"
_HTML_RE = re.compile(re.escape(HTML_OPEN) + r"(.*?)" + re.escape(HTML_CLOSE), re.S)
_PDF_RE = re.compile(rb"/Keywords\s*\(" + re.escape(PDF_PREFIX.encode()) + rb"([A-Za-z0-9+/=]+)\)")


def manifest_digest(manifest: dict) -> str:
    return hashlib.sha256(canonical_json(manifest).encode("utf-8")).hexdigest()


def html_body_digest(page_without_manifest: str) -> str:
    return hashlib.sha256(page_without_manifest.encode("utf-8")).hexdigest()


def embed_html(page: str, manifest: dict) -> str:
    """``page`` holds an empty manifest block; fill it."""
    text = json.dumps(manifest, indent=1, sort_keys=True).replace("</", "<\\/")
    return page.replace(HTML_OPEN + HTML_CLOSE, HTML_OPEN + text + HTML_CLOSE, 1)


def pdf_keywords(manifest: dict) -> str:
    return PDF_PREFIX + base64.b64encode(zlib.compress(canonical_json(manifest).encode("utf-8"), 9)).decode("ascii")


def read_manifest(path: str | Path) -> tuple[dict, str | None]:
    """(manifest, digest of the HTML page without it - None for a PDF)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such report file", path=str(path))
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        m = _PDF_RE.search(data)
        if not m:
            raise InputError("a PDF without a FaceLens report manifest (was it written by 'audit report'?)",
                             path=str(path))
        try:
            return json.loads(zlib.decompress(base64.b64decode(m.group(1)))), None
        except (ValueError, zlib.error) as e:
            raise InputError(f"the report manifest is damaged ({e})", path=str(path)) from None
    text = data.decode("utf-8", errors="replace")
    m = _HTML_RE.search(text)
    if not m:
        raise InputError("no FaceLens report manifest in this file (expected an HTML or PDF report written by "
                         "'audit report')", path=str(path))
    try:
        manifest = json.loads(m.group(1))
    except ValueError as e:
        raise InputError(f"the report manifest is not valid JSON ({e})", path=str(path)) from None
    emptied = text[:m.start()] + HTML_OPEN + HTML_CLOSE + text[m.end():]
    return manifest, html_body_digest(emptied)
