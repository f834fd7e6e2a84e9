import sqlite3

from storage.verify import verify_project


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
