"""``info --json``: what the README promises of each media item (id, path, kind, sha256, size, frames, fps)."""
from __future__ import annotations

import hashlib

from tests.inprocess_cli import main_json, run_main
from tests.media_factory import indexed_video, photo


def test_info_json_gives_each_media_its_size_in_bytes(capsys, tmp_path):
    proj = tmp_path / "case"
    run_main(capsys, "new", proj)
    files = [photo(tmp_path / "a.png"), indexed_video(tmp_path / "v.mp4", frames=12)]
    run_main(capsys, "import", proj, *files)
    media = main_json(capsys, "info", proj)["media"]
    by_name = {m["path"].rsplit("/", 1)[-1]: m for m in media}
    for f in files:
        m = by_name[f.name]
        assert m["size_bytes"] == f.stat().st_size and m["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
    assert by_name["v.mp4"]["frames"] == 12 and by_name["a.png"]["frames"] == 1
