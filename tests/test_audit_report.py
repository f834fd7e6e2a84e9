"""Audit reports: the HTML holds the numbers, the PDF is a well-formed document with pages, and verify-report
confirms a report and then catches an edited verdict or page."""
from __future__ import annotations

import re
import sqlite3
import zlib

import pytest

from annotation.errors import FaceLensError
from engine.audit.evaluate import evaluate
from engine.audit.importer import import_scores
from engine.audit.report import write_report
from engine.audit.report.data import ReportSettings, collect
from engine.audit.report.html import write_html
from engine.audit.report.manifest import HTML_CLOSE, HTML_OPEN, embed_html, manifest_digest, read_manifest
from engine.audit.report.verify import verify_report
from engine.audit.review import build_queue
from storage.project import Project
from tests.audit_factory import make_dataset, tamper
from tests.inprocess_cli import run_main

FAST = ReportSettings(bootstrap=100)


@pytest.fixture
def reviewed(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=20, unseen=6)
    run_id = import_scores(project, data.csv, data.features, model="xception").run_id
    items = build_queue(project, run_id).items
    v = project.detectors.add_verdict(items[0].result_id, "attack", "silicone mask edge", reviewer="ada")
    return run_id, v


def test_the_html_report_is_self_contained_and_holds_the_numbers(project, reviewed, tmp_path):
    run_id, verdict = reviewed
    out = tmp_path / "report.html"
    manifest = write_report(project, run_id, out, FAST)
    page = out.read_text()
    ev = evaluate(project.detectors.results(run_id), threshold=None, bootstrap=100)
    for key in ("auc", "eer", "apcer_max", "bpcer", "acer", "hter"):
        assert f"{ev.values[key]:.4f}" in page, key
    lo, hi = ev.ci["hter"]
    assert f"[{lo:.4f}, {hi:.4f}]" in page  # the bootstrap interval
    assert "silicone mask edge" in page and "ada" in page
    for m in project.media.all():
        assert m.sha256 in page
    head = manifest["audit_head"]
    assert head["hash"] in page
    assert page.count("data:image/png;base64,") >= 5  # histograms at two levels, ROC, DET, risk-coverage
    assert not re.search(r'(src|href)="(http|//)', page)  # nothing fetched from elsewhere
    assert manifest["verdicts"][0]["id"] == verdict.id and manifest["metrics"]["frame"]["auc"] == ev.values["auc"]
    # writing the report is itself in the audit log
    assert project.audit.entries()[-1].action == "report"


def _pdf_pages(data: bytes) -> list[bytes]:
    """A small structural check of a PDF: the cross-reference table points at objects, the page tree counts the
    pages, and each page's content stream decompresses to drawing operators. Returns the page streams."""
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    xref_at = int(re.search(rb"startxref\s+(\d+)", data[-64:]).group(1))
    assert data[xref_at:xref_at + 4] == b"xref"
    first, count = map(int, re.match(rb"xref\s+(\d+) (\d+)", data[xref_at:]).groups())
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf])", data[xref_at:xref_at + 30 + 20 * count])
    objects = {}
    for num, (offset, _, used) in enumerate(entries, start=first):
        if used == b"n":
            assert re.match(rb"%d 0 obj" % num, data[int(offset):]), f"object {num} is not where the xref says"
            objects[num] = int(offset)
    pages = [n for n, off in objects.items() if re.match(rb"\d+ 0 obj\s*<<\s*/Type /Page\b", data[off:off + 40])]
    total = int(re.search(rb"/Type /Pages[^>]*?/Count (\d+)", data).group(1))
    assert len(pages) == total
    streams = []
    for n in pages:
        body = data[objects[n]:data.index(b"endobj", objects[n])]
        content = int(re.search(rb"/Contents (\d+) 0 R", body).group(1))
        obj = data[objects[content]:]
        raw = obj[obj.index(b"stream") + 7:obj.index(b"endstream")]
        streams.append(zlib.decompress(raw) if b"/FlateDecode" in obj[:200] else raw)
    return streams


def test_the_pdf_report_is_a_document_with_pages_that_draw(project, reviewed, tmp_path):
    run_id, _ = reviewed
    out = tmp_path / "report.pdf"
    write_report(project, run_id, out, FAST)
    pages = _pdf_pages(out.read_bytes())
    assert len(pages) >= 6  # summary, five plots, flagged samples, media
    assert all(b"BT" in p or b" re" in p or b" l" in p for p in pages)  # text or paths on every page
    assert verify_report(project, out) == []


def test_verify_confirms_a_report_then_catches_an_edited_verdict(project, reviewed, tmp_path):
    run_id, verdict = reviewed
    out = tmp_path / "report.html"
    write_report(project, run_id, out, FAST)
    assert verify_report(project, out) == []
    # someone changes the verdict in the database, behind FaceLens's back
    db = sqlite3.connect(project.db_path)
    db.execute("UPDATE verdicts SET note = 'looks fine', verdict = 'bona_fide' WHERE id = ?", (verdict.id,))
    db.commit()
    db.close()
    problems = verify_report(project, out)
    assert (f"verdict {verdict.id} on result {verdict.result_id}: the report says attack by ada, note 'silicone mask "
            f"edge', the project says bona_fide by ada, note 'looks fine'") in problems
    assert any("changed after it was recorded" in p for p in problems)


def test_verify_catches_a_later_verdict_an_edited_page_and_a_changed_media_file(project, reviewed, tmp_path):
    run_id, _ = reviewed
    out = tmp_path / "report.html"
    write_report(project, run_id, out, FAST)
    item = build_queue(project, run_id).items[1]
    later = project.detectors.add_verdict(item.result_id, "unsure")
    assert any(p.startswith(f"verdict {later.id} on result {item.result_id} (unsure by tester) was recorded after")
               for p in verify_report(project, out))

    out2 = tmp_path / "second.html"
    write_report(project, run_id, out2, FAST)
    assert verify_report(project, out2) == []
    page = out2.read_text().replace("unsure", "attack", 1)  # the visible table, not the manifest
    out2.write_text(page)
    assert verify_report(project, out2) == [
        "the report's page was edited after it was written (its text no longer matches its manifest)"]

    out3 = tmp_path / "third.html"
    write_report(project, run_id, out3, FAST)
    photo = project.absolute_path(project.media.all()[0].path)
    photo.write_bytes(photo.read_bytes() + b"\0")
    problems = verify_report(project, out3)
    assert len(problems) == 1 and "the file changed" in problems[0]


def test_the_pdf_prints_hashes_and_notes_whole_and_inside_the_page(project, reviewed):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from engine.audit.report.pdf import pdf_pages

    run_id, _ = reviewed
    item = build_queue(project, run_id).items[1]
    note = ("the left eye blinks twice while the right stays open; the jaw line shimmers against the collar in "
            "frames 3 to 9, and the screen's moire shows on the cheek") * 2
    project.detectors.add_verdict(item.result_id, "deepfake", note, reviewer="ada")
    pages = pdf_pages(collect(project, run_id, FAST))
    lines = [t.get_text() for fig in pages for t in fig.texts]
    for m in project.media.all():
        assert m.sha256 in lines  # on one line, not cut
    squeezed = "".join(lines).replace(" ", "")
    assert note.replace(" ", "") in squeezed and "silicone mask edge" in " ".join(lines)
    assert not any(line.endswith("…") for line in lines)
    for fig in pages:  # every line of text lies on its page
        renderer = FigureCanvasAgg(fig).get_renderer()
        page = fig.bbox
        for t in fig.texts:
            box = t.get_window_extent(renderer)
            assert page.x0 <= box.x0 and box.x1 <= page.x1 + 0.5 and page.y0 <= box.y0 and box.y1 <= page.y1, \
                t.get_text()


def test_table_cells_wrap_within_their_column_and_keep_every_character():
    from engine.audit.report.pdf_table import wrap

    fits = lambda s: len(s.rstrip()) <= 12
    for text in ("/tmp/data/faces/test_mask_00.jpg", "outside the model's knowledge; near the threshold",
                 "a" * 40, "", "short"):
        lines = wrap(text, fits)
        assert "".join(lines) == text and all(fits(line) for line in lines)
    assert wrap("/tmp/data/faces/x.jpg", fits) == ["/tmp/data/", "faces/x.jpg"]  # breaks after a separator


def test_a_report_is_refused_when_the_runs_scores_no_longer_match_the_audit_log(project, reviewed, tmp_path, capsys):
    run_id, _ = reviewed
    rid = int(project.detectors.results(run_id).id[-1])  # an attack of the test split: now "bona fide"
    tamper(project, f"UPDATE detector_results SET label = 'bona_fide', attack_type = NULL WHERE id = {rid}")
    before = len(project.audit.entries())
    out = tmp_path / "x.html"
    err = run_main(capsys, "audit", "report", project.root, run_id, "--out", out, "--bootstrap", 100, code=2).err
    assert err == (f"facelens: error: detector run {run_id}: no report written, because the run no longer matches the "
                   "audit log: its results were changed after they were imported (they no longer match the digest "
                   "in the audit log); 'verify' lists every difference\n")
    assert not out.exists() and len(project.audit.entries()) == before


def test_verify_report_checks_the_run_against_the_audit_log_not_only_against_the_report(project, reviewed, tmp_path):
    """A report written from edited scores (as an older FaceLens did) agrees with them: the log does not."""
    run_id, _ = reviewed
    rid = int(project.detectors.results(run_id).id[-1])
    tamper(project, f"UPDATE detector_results SET label = 'bona_fide', attack_type = NULL WHERE id = {rid}")
    out = tmp_path / "x.html"
    manifest = write_html(collect(project, run_id, FAST), out)
    project.audit.append("report", f"detector_run:{run_id}", {"path": str(out), "manifest_digest":
                                                              manifest_digest(manifest)})
    assert verify_report(project, out) == [f"detector run {run_id}: its results were changed after they were imported "
                                           "(they no longer match the digest in the audit log)"]


def test_a_media_record_removed_after_the_report_is_one_line_not_a_crash(project, reviewed, tmp_path):
    run_id, _ = reviewed
    out = tmp_path / "report.html"
    write_report(project, run_id, out, FAST)
    table = project.detectors.results(run_id)
    item = project.media.get(int(table.media_id[0]))
    n = int((table.media_id == item.id).sum())
    tamper(project, f"DELETE FROM media WHERE id = {item.id}")
    problems = verify_report(project, out)
    assert f"detector run {run_id}: {n} results point to media {item.id}, which is no longer in the project (see " \
           "'verify')" in problems
    assert any(p.startswith(f"media {item.id} ({item.path}): imported") for p in problems)
    with pytest.raises(FaceLensError, match=f"detector run {run_id}: no report written, because the run no longer "
                                            f"matches the audit log: media {item.id} "):
        write_report(project, run_id, tmp_path / "again.html", FAST)


@pytest.fixture
def other_project(tmp_path):
    """A second project made the same way, with its own chain."""
    other = Project.create(tmp_path / "other")
    data = make_dataset(tmp_path / "other-data", per_class=20, unseen=6)
    run_id = import_scores(other, data.csv, data.features, model="xception").run_id
    other.detectors.add_verdict(build_queue(other, run_id).items[0].result_id, "attack", reviewer="ada")
    yield other
    other.close()


def test_a_report_checked_against_another_project_says_so_in_one_line(project, reviewed, other_project, tmp_path,
                                                                      capsys):
    run_id, _ = reviewed
    out = tmp_path / "report.html"
    write_report(project, run_id, out, FAST)
    ours, theirs = (p.audit.entries(limit=1)[0].hash for p in (project, other_project))
    err = run_main(capsys, "audit", "verify-report", other_project.root, out, code=2).err
    assert err == (f"facelens: error: {out}: the report belongs to a different project (its audit chain starts with "
                   f"{ours[:12]}…, this project's with {theirs[:12]}…)\n")
    # a report from before reports named their project: its audit head tells
    page = out.read_text()
    manifest, _ = read_manifest(out)
    del manifest["project"]
    start, end = page.index(HTML_OPEN), page.index(HTML_CLOSE, page.index(HTML_OPEN)) + len(HTML_CLOSE)
    out.write_text(embed_html(page[:start] + HTML_OPEN + HTML_CLOSE + page[end:], manifest))
    with pytest.raises(FaceLensError, match="the report belongs to a different project, or this project's audit log "
                                            "was rewritten"):
        verify_report(other_project, out)


def test_a_report_from_before_the_middle_thresholds_is_checked_for_all_but_its_numbers(project, reviewed, tmp_path,
                                                                                        monkeypatch):
    import engine.audit.metrics as metrics
    import engine.audit.report.data as data
    import engine.audit.thresholds as thresholds

    run_id, verdict = reviewed
    out = tmp_path / "old.html"
    with monkeypatch.context() as old:  # FaceLens as it was: format 1, thresholds at the edge of their range
        old.setattr(data, "FORMAT", data.EDGE_THRESHOLDS)
        for module in (metrics, thresholds):
            old.setattr(module, "middle_threshold", lambda below, lowest_called: lowest_called)
        write_report(project, run_id, out, FAST)
    problems = verify_report(project, out)
    assert len(problems) == 1 and problems[0].startswith("the report was written by an earlier FaceLens (report "
                                                         "format 1)")  # and not a line per threshold-borne number
    db = sqlite3.connect(project.db_path)
    db.execute("UPDATE verdicts SET verdict = 'bona_fide' WHERE id = ?", (verdict.id,))
    db.commit()
    db.close()
    assert any(p.startswith(f"verdict {verdict.id} on result {verdict.result_id}: the report says attack")
               for p in verify_report(project, out))
