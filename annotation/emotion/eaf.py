"""ELAN annotation files (.eaf, format 3.0): one time-aligned tier per track and annotator, times in ms, the
video linked by absolute and relative URL, so ELAN (and pympi) open it beside its media."""
from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

LINGUISTIC_TYPE = "emotion-label"
MIME_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".avi": "video/x-msvideo",
              ".mkv": "video/x-matroska", ".webm": "video/webm", ".mpg": "video/mpeg", ".mpeg": "video/mpeg"}


@dataclass
class EafTier:
    tier_id: str
    annotator: str
    annotations: list[tuple[int, int, str]] = field(default_factory=list)  # (start ms, end ms, value)


def build_eaf(media_url: str, relative_url: str, mime_type: str, tiers: list[EafTier], author: str = "FaceLens",
              now: datetime.datetime | None = None) -> bytes:
    now = now or datetime.datetime.now(datetime.timezone.utc).astimezone()
    doc = ET.Element("ANNOTATION_DOCUMENT", {
        "AUTHOR": author, "DATE": now.isoformat(timespec="seconds"), "FORMAT": "3.0", "VERSION": "3.0",
        "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "xsi:noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd"})
    header = ET.SubElement(doc, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
    ET.SubElement(header, "MEDIA_DESCRIPTOR", {"MEDIA_URL": media_url, "MIME_TYPE": mime_type,
                                               "RELATIVE_MEDIA_URL": relative_url})
    count = sum(len(t.annotations) for t in tiers)
    ET.SubElement(header, "PROPERTY", {"NAME": "lastUsedAnnotationId"}).text = str(count)
    order = ET.SubElement(doc, "TIME_ORDER")
    slot, ann = 0, 0
    tier_elems = []
    for tier in tiers:
        te = ET.Element("TIER", {"LINGUISTIC_TYPE_REF": LINGUISTIC_TYPE, "TIER_ID": tier.tier_id,
                                 "PARTICIPANT": tier.annotator, "ANNOTATOR": tier.annotator})
        for start, end, value in sorted(tier.annotations):
            refs = []
            for ms in (start, end):
                slot += 1
                ET.SubElement(order, "TIME_SLOT", {"TIME_SLOT_ID": f"ts{slot}", "TIME_VALUE": str(int(ms))})
                refs.append(f"ts{slot}")
            ann += 1
            a = ET.SubElement(ET.SubElement(te, "ANNOTATION"), "ALIGNABLE_ANNOTATION", {
                "ANNOTATION_ID": f"a{ann}", "TIME_SLOT_REF1": refs[0], "TIME_SLOT_REF2": refs[1]})
            ET.SubElement(a, "ANNOTATION_VALUE").text = value
        tier_elems.append(te)
    doc.extend(tier_elems)
    ET.SubElement(doc, "LINGUISTIC_TYPE", {"GRAPHIC_REFERENCES": "false", "LINGUISTIC_TYPE_ID": LINGUISTIC_TYPE,
                                           "TIME_ALIGNABLE": "true"})
    ET.indent(doc)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(doc, encoding="unicode").encode("utf-8")
