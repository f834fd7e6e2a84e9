from PIL import Image

from storage.media.importer import import_paths
from storage.media.library import frame_index, index_path, thumbnail_path
from tests.media_factory import indexed_video, photo, truncate


def test_import_images_and_a_video_from_a_folder_recursively(project, tmp_path):
    src = tmp_path / "src"
    (src / "sub" / "deeper").mkdir(parents=True)
    photo(src / "a.jpg", seed=1)
    photo(src / "sub" / "b.png", seed=2)
    photo(src / "sub" / "deeper" / "c.webp", seed=3)
    (src / "notes.txt").write_text("not media")
    indexed_video(src / "sub" / "clip.mp4", frames=30)

    report = import_paths(project, [src])
    assert [p.rsplit("/", 1)[-1] for _, p in report.imported] == ["a.jpg", "b.png", "clip.mp4", "c.webp"]
    assert report.skipped == [] and report.duplicates == []
    media = {m.name: m for m in project.media.all()}
    assert media["a.jpg"].kind == "image" and (media["a.jpg"].width, media["a.jpg"].height) == (64, 48)
    clip = media["clip.mp4"]
    assert clip.kind == "video" and clip.frame_count == 30 and clip.fps == 25 and clip.codec == "h264"
    assert clip.duration == 30 / 25
    for m in media.values():
        assert len(m.sha256) == 64 and thumbnail_path(project, m.sha256).is_file()
        assert Image.open(thumbnail_path(project, m.sha256)).size[0] <= 256
    assert index_path(project, clip.sha256).is_file()
    assert project.audit.entries()[-1].action == "import"


def test_paths_inside_the_project_are_stored_relative(project, tmp_path):
    inside = photo(project.media_dir / "in.png")
    outside = photo(tmp_path / "out.png", seed=5)
    import_paths(project, [inside, outside])
    paths = [m.path for m in project.media.all()]
    assert paths == ["media/in.png", outside.resolve().as_posix()]


def test_copy_brings_files_into_the_project(project, tmp_path):
    src = photo(tmp_path / "x.png")
    import_paths(project, [src], copy=True)
    (m,) = project.media.all()
    assert m.path == "media/x.png" and (project.root / m.path).is_file()


def test_same_content_is_not_imported_twice(project, tmp_path):
    a = photo(tmp_path / "a.png", seed=1)
    b = tmp_path / "copy-of-a.png"
    b.write_bytes(a.read_bytes())
    report = import_paths(project, [a, b])
    assert len(report.imported) == 1
    assert report.duplicates == [(str(b), report.imported[0][0])]
    again = import_paths(project, [a])
    assert again.imported == [] and again.duplicates == [(str(a), report.imported[0][0])]
    assert project.media.count() == 1


def test_truncated_and_unreadable_files_are_skipped_with_a_reason(project, tmp_path):
    good = photo(tmp_path / "good.png")
    bad_video = truncate(indexed_video(tmp_path / "bad.mp4", frames=50), keep=0.6)
    bad_image = tmp_path / "bad.jpg"
    Image.open(good).save(bad_image, quality=95)
    truncate(bad_image, keep=0.5)
    (tmp_path / "fake.png").write_text("just text")
    (tmp_path / "notes.txt").write_text("just text")
    report = import_paths(project, [good, bad_video, bad_image, tmp_path / "fake.png", tmp_path / "gone.mp4",
                                    tmp_path / "notes.txt"])
    assert [p for _, p in report.imported] == [str(good)]
    reasons = dict(report.skipped)
    assert "truncated" in reasons[str(bad_video)] or "moov" in reasons[str(bad_video)]
    assert "truncated" in reasons[str(bad_image)]
    assert "not a readable image" in reasons[str(tmp_path / "fake.png")]
    assert reasons[str(tmp_path / "gone.mp4")] == "no such file or folder"
    assert "not an image" in reasons[str(tmp_path / "notes.txt")]
    assert project.media.count() == 1


def test_a_video_cut_mid_stream_is_reported_truncated(project, tmp_path):
    # moov first (faststart), so the cut removes frames rather than the index
    import av

    src = indexed_video(tmp_path / "src.mp4", frames=80)
    fast = tmp_path / "fast.mp4"
    with av.open(str(src)) as i, av.open(str(fast), "w", options={"movflags": "faststart"}) as o:
        s = o.add_stream_from_template(i.streams.video[0])
        for pkt in i.demux(i.streams.video[0]):
            if pkt.dts is not None:
                pkt.stream = s
                o.mux(pkt)
    truncate(fast, keep=0.5)
    report = import_paths(project, [fast])
    (path, reason), = report.skipped
    assert "truncated" in reason or "corrupt" in reason or "decode" in reason


def test_frame_index_is_rebuilt_when_the_cache_is_gone(project, tmp_path):
    report = import_paths(project, [indexed_video(tmp_path / "v.mp4", frames=20)])
    item = project.media.get(report.imported[0][0])
    index_path(project, item.sha256).unlink()
    assert frame_index(project, item).frame_count == 20
    assert index_path(project, item.sha256).is_file()
