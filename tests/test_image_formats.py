"""Photos beyond 8-bit RGB, as cameras, microscopes and depth sensors write them, and a picture too large to read:
a 16-bit greyscale PNG came out all white (and GrabCut found nothing on it), a float TIFF nearly black, and one
image over PIL's limit stopped the import of a whole folder with a traceback."""
from __future__ import annotations

import struct
import zlib

import numpy as np
from PIL import Image

from storage.media.library import read_image
from storage.project import Project
from tests.cli import run_cli, run_json
from tests.media_factory import photo


def _square(value_inside: float, value_outside: float, dtype) -> np.ndarray:
    a = np.full((120, 160), value_outside, dtype=dtype)
    a[30:90, 50:110] = value_inside
    return a


def test_a_16_bit_greyscale_photo_is_shown_and_segmented(tmp_path):
    root = tmp_path / "p"
    run_cli("new", root)
    Image.fromarray(_square(50_000, 5_000, np.uint16)).save(tmp_path / "depth.png")  # PIL mode I;16
    run_json("import", root, tmp_path / "depth.png")
    with Project.open(root) as p:
        rgb = read_image(p, p.media.get(1))
    assert rgb.dtype == np.uint8 and rgb.shape == (120, 160, 3)
    assert abs(int(rgb[60, 80, 0]) - round(50_000 / 257)) <= 1 and abs(int(rgb[5, 5, 1]) - round(5_000 / 257)) <= 1
    out = run_json("segment", root, 1, "--box", "40,20,120,100")
    assert 0.8 * 60 * 60 <= out["area"] <= 1.2 * 60 * 60


def test_a_float_photo_in_0_to_1_is_shown_as_its_grey_levels(tmp_path):
    Image.fromarray(_square(0.8, 0.2, np.float32), mode="F").save(tmp_path / "ratio.tif")
    root = tmp_path / "p"
    run_cli("new", root)
    run_json("import", root, tmp_path / "ratio.tif")
    with Project.open(root) as p:
        rgb = read_image(p, p.media.get(1))
    assert tuple(rgb[60, 80]) == (204, 204, 204) and tuple(rgb[5, 5]) == (51, 51, 51)


def test_a_floating_point_colour_tiff_pillow_cannot_open_is_read(tmp_path):
    """Pillow cannot open float RGB or 64-bit TIFFs: they were refused as "unknown or damaged format"."""
    import tifffile

    colour = np.zeros((120, 160, 3), np.float32)
    colour[30:90, 50:110] = (1.0, 0.5, 0.25)
    tifffile.imwrite(tmp_path / "hdr.tif", colour)
    tifffile.imwrite(tmp_path / "depth.tif", _square(0.75, 0.25, np.float64))
    root = tmp_path / "p"
    run_cli("new", root)
    out = run_json("import", root, tmp_path / "hdr.tif", tmp_path / "depth.tif")
    assert out["skipped"] == [] and len(out["imported"]) == 2
    assert [(m["width"], m["height"]) for m in run_json("info", root)["media"]] == [(160, 120), (160, 120)]
    with Project.open(root) as p:
        hdr, depth = (read_image(p, p.media.get(i)) for i in (1, 2))
    assert tuple(hdr[60, 80]) == (255, 128, 64) and tuple(hdr[5, 5]) == (0, 0, 0)
    assert tuple(depth[60, 80]) == (191, 191, 191)
    assert (root / "cache" / "thumbs").is_dir() and len(list((root / "cache" / "thumbs").iterdir())) == 2
    # Exported to COCO as it is (the export asked Pillow for its EXIF orientation, and failed on it).
    run_json("segment", root, 1, "--box", "40,20,120,100")
    out = run_json("export", root, "--format", "coco", "--out", tmp_path / "coco.json")
    assert out["images"] == 1 and out["upright_photos_written"] == 0


def _png_claiming(path, width: int, height: int) -> None:
    """A PNG whose header says ``width`` x ``height`` (a decompression bomb: a few bytes that would decode huge)."""
    photo(path, 8, 8)
    data = bytearray(path.read_bytes())
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    path.write_bytes(bytes(data))


def test_an_image_too_large_to_read_is_skipped_and_the_rest_imported(tmp_path):
    folder = tmp_path / "shots"
    folder.mkdir()
    photo(folder / "face.png")
    _png_claiming(folder / "huge.png", 20_000, 20_000)
    root = tmp_path / "p"
    run_cli("new", root)
    p = run_cli("import", root, folder, "--json", check=1)  # partly failed
    assert "Traceback" not in p.stderr and "Warning" not in p.stderr
    out = __import__("json").loads(p.stdout)
    assert [i["path"] for i in out["imported"]] == [str(folder / "face.png")]
    assert out["skipped"] == [{"path": str(folder / "huge.png"), "reason": "is a 20000x20000 image (400 megapixels); "
                                                                           "FaceLens reads images of up to 250 "
                                                                           "megapixels"}]
