import numpy as np
import pytest

from annotation.errors import InputError
from engine.worker import Engine, Priority
from storage.media.frames import FrameSource
from storage.media.encode import write_video
from storage.media.frame_index import build_frame_index
from storage.media.importer import import_paths
from storage.media.library import open_display_video, open_video
from storage.media.proxy import build_proxy, build_proxy_steps, proxy_for, proxy_index_path, proxy_path
from storage.media.video import VideoReader
from tests.cli import run_cli, run_json
from tests.media_factory import index_frame, indexed_video, photo, read_index


def _long_gop_video(project, tmp_path, frames=90):
    path = indexed_video(tmp_path / "long.mp4", frames=frames, gop=80)  # keyframes at 0 and 80; B-frames on
    report = import_paths(project, [path])
    return project.media.get(report.imported[0][0])


def test_the_proxy_has_every_frame_of_the_original_in_order_with_short_gops(project, tmp_path):
    item = _long_gop_video(project, tmp_path)
    path = build_proxy(project, item, gop=4)
    assert path == proxy_path(project, item.sha256) and path.parent == project.cache_dir / "proxy"
    with VideoReader(path) as proxy, open_video(project, item) as original:
        assert proxy.frame_count == original.frame_count == 90
        assert [read_index(f.to_ndarray(format="rgb24")) for _, f in proxy.frames()] == list(range(90))
        assert list(np.flatnonzero(proxy.index.keyframe)) == list(range(0, 90, 4))
        # Same timing: frame N is shown at the same time in both.
        assert [round(proxy.index.time_of(n), 4) for n in range(90)] == \
            [round(original.index.time_of(n), 4) for n in range(90)]
    assert list(project.cache_dir.joinpath("proxy").glob("*.part*")) == []


def test_display_reads_use_the_proxy_once_it_exists(project, tmp_path):
    item = _long_gop_video(project, tmp_path)
    with open_display_video(project, item) as r:
        assert r.path == str(project.absolute_path(item.path))
    build_proxy(project, item, gop=8)
    with open_display_video(project, item) as r:
        assert r.path == str(proxy_path(project, item.sha256))
    with open_video(project, item) as r:  # models and exports keep reading the original
        assert r.path == str(project.absolute_path(item.path))
    src = FrameSource(lambda: open_display_video(project, item))
    try:
        for n in (85, 3, 47, 46, 45, 89, 0):
            assert read_index(src.get(n, timeout=10)) == n
    finally:
        src.close()


def test_a_proxy_that_does_not_match_the_video_is_not_shown(project, tmp_path):
    item = _long_gop_video(project, tmp_path)
    short = indexed_video(tmp_path / "short.mp4", frames=30, gop=4)
    build_proxy(project, item)
    proxy_path(project, item.sha256).write_bytes(short.read_bytes())  # someone copied a wrong file in
    build_frame_index(short).save(proxy_index_path(project, item.sha256))
    assert proxy_for(project, item) is None
    with open_display_video(project, item) as r:
        assert r.path == str(project.absolute_path(item.path))


def test_progress_is_reported_and_a_cancelled_build_leaves_nothing(project, tmp_path):
    item = _long_gop_video(project, tmp_path)
    seen = []
    assert build_proxy(project, item, progress=lambda done, total: seen.append((done, total)),
                       cancelled=lambda: len(seen) >= 2) is None
    assert seen == [(10, 90), (20, 90)]
    assert list(project.cache_dir.joinpath("proxy").iterdir()) == []
    assert proxy_for(project, item) is None


def test_it_runs_as_an_engine_batch_job_that_can_be_cancelled(project, tmp_path):
    item = _long_gop_video(project, tmp_path)
    engine = Engine()
    try:
        progress = []
        handle = engine.submit(lambda ctx: build_proxy_steps(project, item, progress=ctx.progress,
                                                             cancelled=lambda: ctx.cancelled),
                               name="proxy", priority=Priority.BATCH,
                               on_progress=lambda job, done, total, msg: progress.append((done, total)))
        result = handle.result(60)
        assert result.ok and result.value == proxy_path(project, item.sha256)
        assert progress[-1] == (90, 90)

        # Cancelled at its first yield: the job ends cancelled and no proxy replaces the one already there.
        before = proxy_path(project, item.sha256).stat().st_mtime_ns
        handle = engine.submit(lambda ctx: _cancel_then(ctx, build_proxy_steps(project, item, gop=2)),
                               name="proxy", priority=Priority.BATCH)
        assert handle.result(60).cancelled
        assert proxy_path(project, item.sha256).stat().st_mtime_ns == before
        assert list(project.cache_dir.joinpath("proxy").glob("*.part*")) == []
    finally:
        engine.stop()


def _cancel_then(ctx, steps):
    for step in steps:
        ctx._job.cancel_event.set()  # what JobHandle.cancel() does, from inside so the timing is certain
        yield step


def test_an_odd_sized_video_gets_a_full_chroma_proxy(project, tmp_path):
    frames = (index_frame(i, height=95)[:, :-1] for i in range(20))  # 95 x 191
    path = tmp_path / "odd.mkv"
    write_video(path, frames, gop=20, pix_fmt="yuv444p")
    item = project.media.get(import_paths(project, [path]).imported[0][0])
    build_proxy(project, item, gop=4)
    with open_display_video(project, item) as r:
        assert r.path.endswith(".mp4") and (r.index.width, r.index.height) == (191, 95)
        assert [read_index(r.read(n)) for n in range(20)] == list(range(20))


def test_bad_requests_are_named(project, tmp_path):
    image = project.media.get(import_paths(project, [photo(tmp_path / "p.png")]).imported[0][0])
    with pytest.raises(InputError, match="image"):
        build_proxy(project, image)
    item = _long_gop_video(project, tmp_path)
    with pytest.raises(InputError, match="gop"):
        build_proxy(project, item, gop=0)


def test_cli_builds_a_proxy_and_names_bad_arguments(tmp_path):
    root = tmp_path / "p"
    run_cli("new", root)
    video = indexed_video(tmp_path / "v.mp4", frames=30, gop=30)
    media_id = run_json("import", root, video)["imported"][0]["id"]
    out = run_json("proxy", root, media_id, "--gop", "5")
    assert out["media"] == media_id and out["frames"] == 30 and out["gop"] == 5
    assert (root / out["path"]).is_file() and out["path"].startswith("cache/proxy/")
    bad = run_cli("proxy", root, 99, check=2)
    assert "no media 99" in bad.stderr and "Traceback" not in bad.stderr
    bad = run_cli("proxy", root, media_id, "--gop", "0", check=2)
    assert "GOP" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    bad = run_cli("proxy", tmp_path / "nowhere", 1, check=2)
    assert "no such project" in bad.stderr
