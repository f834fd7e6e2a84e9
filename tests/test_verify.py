import sqlite3

from storage.verify import verify_project
from tests.inprocess_cli import main_json, run_main


def test_a_fresh_demo_project_verifies(demo):
    assert verify_project(demo) == []


def test_verify_names_a_changed_and_a_missing_media_file(demo):
    photo, video = demo.media.all()
    path = demo.absolute_path(photo.path)
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # one byte, same size: only the hash can tell
    path.write_bytes(bytes(data))
    demo.absolute_path(video.path).unlink()
    problems = verify_project(demo)
    assert any(f"media {photo.id}" in p and "SHA-256" in p for p in problems)
    assert any(f"media {video.id}" in p and "missing" in p for p in problems)


def test_verify_catches_an_edited_audit_entry(demo):
    demo.audit.append("verdict", "media:1", {"verdict": "bona fide"})
    con = sqlite3.connect(demo.db_path)
    try:
        con.execute("UPDATE audit_log SET payload = '{}' WHERE action = 'verdict'")
        raise AssertionError("the audit log accepted an update")
    except sqlite3.DatabaseError as e:
        assert "append-only" in str(e)
    # Someone determined drops the guard and edits the entry anyway.
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET payload = '{\"verdict\":\"attack\"}' WHERE action = 'verdict'")
    con.commit()
    con.close()
    problems = verify_project(demo)
    seq = demo.audit.entries()[-1].seq
    assert problems == [f"audit entry {seq} (verdict media:1): its content was changed after it was written"]


def test_verify_catches_a_removed_audit_entry(demo):
    con = sqlite3.connect(demo.db_path)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE seq = 2")
    con.commit()
    con.close()
    problems = verify_project(demo)
    assert any("audit entry 2: missing" in p for p in problems)


def test_entries_cut_off_the_end_show_only_against_a_head_noted_before(demo, demo_dir, capsys):
    """No chain can vouch for its own length: verify prints its head to note, and checks a noted head later."""
    demo.audit.append("verdict", "media:1", {"verdict": "attack"})
    demo.audit.append("verdict", "media:1", {"verdict": "unsure"})
    head = demo.audit.head()
    report = main_json(capsys, "verify", demo_dir)
    assert report["ok"] and report["audit_head"] == {"seq": head.seq, "hash": head.hash}
    text = run_main(capsys, "verify", demo_dir).out
    assert f"audit head: {head.seq}:{head.hash} " in text
    assert "verify: ok" in run_main(capsys, "verify", demo_dir, "--head", f"{head.seq}:{head.hash}").out

    con = sqlite3.connect(demo.db_path)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute(f"DELETE FROM audit_log WHERE seq >= {head.seq - 1}")
    con.commit()
    con.close()
    assert verify_project(demo) == []  # the shorter chain holds by itself
    last = demo.audit.head()
    out = run_main(capsys, "verify", demo_dir, "--head", f"{head.seq}:{head.hash}", code=1).out
    assert out.splitlines()[0] == (f"audit chain: entry {head.seq}, the noted head, is gone (the chain ends at entry "
                                   f"{last.seq}, {last.hash[:12]}…): entries were cut off its end")
    out = run_main(capsys, "verify", demo_dir, "--head", head.hash[:16], code=1).out
    assert out.startswith(f"audit chain: no entry has the noted head's hash {head.hash[:12]}…")
    err = run_main(capsys, "verify", demo_dir, "--head", "7:not-a-hash", code=2).err
    assert err == "facelens: error: --head '7:not-a-hash': expected SEQ:HASH or HASH as 'verify' prints it (the " \
                  "hash: 12 to 64 hex digits)\n"
