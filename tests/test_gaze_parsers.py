"""Reading eye-tracker exports with exactly the headers the tools write, and refusing bad files clearly."""
import numpy as np
import pytest

from annotation.errors import InputError
from annotation.gaze.formats import detect_format
from annotation.gaze.pupil import parse_pupil_fixations, parse_pupil_gaze
from annotation.gaze.recording import Alignment
from annotation.gaze.tobii import parse_tobii
from annotation.gaze.generic import parse_generic
from annotation.model import MediaItem
from tests.cli import run_cli
from tests.inprocess_cli import main_json, run_main

VIDEO = MediaItem(id=2, kind="video", path="v.mp4", sha256="x", size_bytes=1, width=640, height=480, fps=25.0,
                  frame_count=150, duration=6.0)

PUPIL = """gaze_timestamp,world_index,confidence,norm_pos_x,norm_pos_y,base_data,gaze_point_3d_x
1000.010,0,0.99,0.5,0.25,x,1
1000.020,0,0.95,0.25,0.75,x,1
1000.030,0,0.40,0.9,0.9,x,1
1000.050,1,0.97,1.0,0.0,x,1
"""

TOBII = ("Recording timestamp [μs]\tGaze point X [DACS px]\tGaze point Y [DACS px]\tGaze point X (MCSnorm)\t"
         "Pupil diameter left [mm]\tPupil diameter right [mm]\tEye movement type\tEye movement type index\t"
         "Fixation point X [DACS px]\tFixation point Y [DACS px]\n"
         "1000000\t100\t200\t0.1\t3,0\t3,2\tFixation\t1\t101\t201\n"
         "1008333\t102\t202\t0.1\t3.0\t\tFixation\t1\t101\t201\n"
         "1016667\t\t\t\t\t\tEyesNotFound\t1\t\t\n"
         "1025000\t300\t100\t0.3\t2.8\t3.0\tSaccade\t1\t\t\n"
         "1033333\t500\t50\t0.5\t2.8\t3.0\tFixation\t2\t500\t50\n")


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_pupil_gaze_positions_flip_y_and_drop_low_confidence(tmp_path):
    path = write(tmp_path, "gaze_positions.csv", PUPIL)
    parsed = parse_pupil_gaze(path, VIDEO)
    assert parsed.dropped == 1  # confidence 0.40 < 0.6
    np.testing.assert_allclose(parsed.samples.x, [320, 160, 640])
    np.testing.assert_allclose(parsed.samples.y, [360, 120, 480])  # origin bottom left -> top left
    # world_index lines gaze up with the world video: frame 0 shows from 0 to 0.04 s
    assert parsed.alignment.source == "world_index"
    video_t = parsed.alignment.to_video(parsed.samples.t)
    assert 0 <= video_t[0] < 0.04 and 0.04 <= video_t[-1] < 0.08
    assert detect_format(path) == "pupil"


def test_pupil_fixations_csv(tmp_path):
    path = write(tmp_path, "fixations.csv", "id,start_timestamp,duration,start_frame_index,end_frame_index,"
                 "norm_pos_x,norm_pos_y,dispersion,confidence,method\n"
                 "1,1000.5,250.0,12,18,0.5,0.5,1.2,0.9,pupil\n")
    ev = parse_pupil_fixations(path, VIDEO)
    (f,) = ev.fixations
    assert (f.start, f.x, f.y) == (1000.5, 320, 240) and f.duration == pytest.approx(0.25)


def test_tobii_headers_match_by_prefix_and_units_decide_the_time_scale(tmp_path):
    path = write(tmp_path, "rec.tsv", TOBII)
    parsed = parse_tobii(path, VIDEO)
    s = parsed.samples
    assert parsed.dropped == 1  # the row without a gaze point
    np.testing.assert_allclose(s.t, [1.0, 1.008333, 1.025, 1.033333])
    np.testing.assert_allclose(s.x, [100, 102, 300, 500])  # DACS px, not the MCSnorm column
    np.testing.assert_allclose(s.pupil, [3.1, 3.0, 2.9, 2.9])  # decimal comma read, one eye missing
    assert parsed.params["time_unit"] == "μs"
    fixations = parsed.events.fixations
    assert [(f.x, f.y) for f in fixations] == [(101, 201), (500, 50)]
    assert detect_format(path) == "tobii"


def test_tobii_event_rows_inside_a_fixation_do_not_split_it(tmp_path):
    """Pro Lab writes event rows (a key press, a stimulus starting) with no gaze and no eye movement type."""
    rows = TOBII.splitlines()
    event = "1004000" + "\t" * 9
    path = write(tmp_path, "rec.tsv", "\n".join(rows[:2] + [event] + rows[2:]) + "\n")
    parsed = parse_tobii(path, VIDEO)
    assert [(f.x, f.y, f.samples) for f in parsed.events.fixations] == [(101, 201, 2), (500, 50, 1)]
    assert parsed.dropped == 2  # the event row and the row without a gaze point


def test_tobii_millisecond_timestamps(tmp_path):
    path = write(tmp_path, "rec.tsv", "Recording timestamp [ms]\tGaze point X [DACS px]\tGaze point Y [DACS px]\n"
                                      "10\t1\t2\n20\t3\t4\n")
    np.testing.assert_allclose(parse_tobii(path, VIDEO).samples.t, [0.01, 0.02])


def test_generic_csv_pixels_or_normalised(tmp_path):
    px = parse_generic(write(tmp_path, "a.csv", "t,x,y,pupil,confidence\n0.0,10,20,3.5,1\n0.1,30,40,,0.9\n"),
                       VIDEO)
    assert px.params["coordinates"] == "px"
    np.testing.assert_allclose(px.samples.y, [20, 40])
    assert np.isnan(px.samples.pupil[1])
    norm = parse_generic(write(tmp_path, "b.csv", "t,x,y\n0.0,0.5,0.5\n0.1,1.0,0.25\n"), VIDEO)
    assert norm.params["coordinates"] == "norm"
    np.testing.assert_allclose(norm.samples.x, [320, 640])
    np.testing.assert_allclose(norm.samples.y, [240, 120])  # generic normalised: origin top left


@pytest.mark.parametrize("parser, name, text, line, field", [
    (parse_pupil_gaze, "gaze_positions.csv", "gaze_timestamp,world_index,norm_pos_x,norm_pos_y\n1,0,0.5,0.5\n",
     1, "confidence"),
    (parse_pupil_gaze, "gaze_positions.csv", PUPIL.replace("1000.020,0,0.95", "1000.020,0,abc"), 3, "confidence"),
    (parse_pupil_gaze, "gaze_positions.csv", PUPIL.replace("1000.030,0,0.40", "1000.030,0,1.5"), 4, "confidence"),
    (parse_tobii, "rec.tsv", "Recording timestamp [ms]\tGaze point X [DACS px]\n1\t2\n", 1, "Gaze point Y"),
    (parse_tobii, "rec.tsv", TOBII.replace("1025000", "soon"), 5, "Recording timestamp [μs]"),
    (parse_generic, "g.csv", "t,x\n0,1\n", 1, "y"),
    (parse_generic, "g.csv", "t,x,y\n0,1,2\n0.1,1,2\n0.2,one,2\n", 4, "x"),
])
def test_bad_gaze_files_name_the_file_line_and_column(tmp_path, parser, name, text, line, field):
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as e:
        parser(path, VIDEO)
    message = str(e.value)
    assert str(path) in message and f"line {line}" in message and f"field '{field}'" in message


def test_alignment_from_sync_events_measures_offset_and_drift():
    a = Alignment.from_sync([(10.0, 2.0), (110.0, 102.01)])
    assert a.offset == pytest.approx(2.0 - 10.0 * 1.0001) and a.drift == pytest.approx(1e-4)
    assert a.to_video(60.0) == pytest.approx(52.005)
    assert a.to_gaze(a.to_video(60.0)) == pytest.approx(60.0)


def test_cli_gaze_import_prints_the_keys_and_bad_files_change_nothing(demo_dir, tmp_path, capsys):
    path = write(tmp_path, "gaze_positions.csv", PUPIL)
    out = main_json(capsys, "gaze", "import", demo_dir, 2, path, "--format", "pupil", "--offset", "-1000")
    assert {"recording_id", "samples", "dropped", "duration"} <= set(out)
    assert (out["samples"], out["dropped"]) == (3, 1) and out["duration"] == pytest.approx(0.04)
    assert out["offset"] == -1000 and out["alignment"] == "manual"

    bad = write(tmp_path, "bad.csv", PUPIL.replace("1000.050,1,0.97,1.0", "1000.050,1,0.97,far"))
    p = run_cli("gaze", "import", demo_dir, 2, bad, "--format", "pupil", check=2)
    assert f"{bad}, line 5, field 'norm_pos_x'" in p.stderr and "Traceback" not in p.stderr
    listed = main_json(capsys, "gaze", "list", demo_dir)["recordings"]
    assert [r["recording_id"] for r in listed] == [out["recording_id"]]
    assert "no media 99" in run_main(capsys, "gaze", "import", demo_dir, 99, path, code=2).err
    assert "media 1 is an image" in run_main(capsys, "gaze", "import", demo_dir, 1, path, code=2).err
    err = run_main(capsys, "gaze", "import", demo_dir, 2, path, "--format", "tobii", code=2).err
    assert f"{path}, line 1, field 'format'" in err and "use --format pupil" in err
    again = run_main(capsys, "gaze", "import", demo_dir, 2, path)
    assert "video time = gaze time - 999.99 s, aligned by the file's world_index" in again.out  # Pupil time 1000 s is in world frame 0
    # The same file a second time is kept (another alignment may be the point) but said.
    assert f"already imported onto this video, as recording {out['recording_id']}" in again.err
    assert len(main_json(capsys, "gaze", "list", demo_dir)["recordings"]) == 2
    assert out.get("same_file_as") == []


def test_auto_coordinates_take_a_glance_off_screen_as_normalised(tmp_path):
    rows = [f"{k / 100:.2f},{0.3 + 0.004 * k:.4f},{0.5 - 0.002 * k:.4f}" for k in range(100)]
    rows[60] = "0.60,1.03,0.40"  # one glance just past the right edge of the screen
    offscreen = parse_generic(write(tmp_path, "a.csv", "t,x,y\n" + "\n".join(rows) + "\n"), VIDEO)
    assert offscreen.params["coordinates"] == "norm" and offscreen.params["coordinates_guessed"]
    assert offscreen.samples.x[60] == pytest.approx(1.03 * 640) and offscreen.samples.y[0] == pytest.approx(240)
    rows[60] = "0.60,2.5,0.40"  # far outside [0, 1]: these are not normalised
    assert parse_generic(write(tmp_path, "b.csv", "t,x,y\n" + "\n".join(rows) + "\n"), VIDEO).params["coordinates"] \
        == "px"
    pixels = parse_generic(write(tmp_path, "c.csv", "t,x,y\n0,1,1\n0.1,0.5,0.5\n0.2,320,240\n"), VIDEO)
    assert pixels.params["coordinates"] == "px"
    given = parse_generic(write(tmp_path, "d.csv", "t,x,y\n0,0.5,0.5\n"), VIDEO, coordinates="px")
    assert given.params["coordinates"] == "px" and not given.params["coordinates_guessed"]


TOBII_BOTH = ("Recording timestamp [μs]\tGaze point X [DACS px]\tGaze point Y [DACS px]\tGaze point X [MCS px]\t"
              "Gaze point Y [MCS px]\tEye movement type\tEye movement type index\tFixation point X [DACS px]\t"
              "Fixation point Y [DACS px]\n"
              "1000000\t960\t500\t320\t200\tFixation\t1\t962\t501\n"
              "1008333\t964\t502\t324\t202\tFixation\t1\t962\t501\n"
              "1016667\t1400\t300\t500\t100\tSaccade\t1\t\t\n")


def test_tobii_gaze_in_the_media_coordinate_system_when_the_export_has_it(tmp_path):
    """Pro Lab's MCS is the stimulus video's own pixels, DACS the screen's: an overlay on the video needs MCS."""
    parsed = parse_tobii(write(tmp_path, "rec.tsv", TOBII_BOTH), VIDEO)
    np.testing.assert_allclose(parsed.samples.x, [320, 324, 500])
    np.testing.assert_allclose(parsed.samples.y, [200, 202, 100])
    assert parsed.params["coordinates"] == "media pixels (MCS)"
    assert parsed.params["columns"]["Gaze point X"] == "Gaze point X [MCS px]"
    # the fixation points are in DACS only: the fixation sits at the mean of its MCS gaze instead
    assert [(f.x, f.y) for f in parsed.events.fixations] == [(322, 201)]
    with_mcs_fixations = TOBII_BOTH.replace("Fixation point Y [DACS px]\n", "Fixation point Y [DACS px]\t"
                                            "Fixation point X [MCS px]\tFixation point Y [MCS px]\n")
    with_mcs_fixations = with_mcs_fixations.replace("962\t501\n", "962\t501\t321\t201\n")
    with_mcs_fixations = with_mcs_fixations.replace("\t\t\n", "\t\t\t\t\n")
    parsed = parse_tobii(write(tmp_path, "rec2.tsv", with_mcs_fixations), VIDEO)
    assert [(f.x, f.y) for f in parsed.events.fixations] == [(321, 201)]
    screen_only = parse_tobii(write(tmp_path, "rec3.tsv", TOBII), VIDEO)
    assert screen_only.params["coordinates"] == "screen pixels (DACS)"


def test_semicolon_separated_gaze_with_decimal_commas(tmp_path):
    path = write(tmp_path, "de.csv", "t;x;y;pupil\n0,000;320,5;240,25;3,1\n0,010;321;241;\n")
    assert detect_format(path) == "csv"
    parsed = parse_generic(path, VIDEO)
    np.testing.assert_allclose(parsed.samples.t, [0.0, 0.01])
    np.testing.assert_allclose(parsed.samples.x, [320.5, 321])
    np.testing.assert_allclose(parsed.samples.y, [240.25, 241])
    assert parsed.samples.pupil[0] == pytest.approx(3.1)


@pytest.mark.parametrize("name, text, field, title", [
    ("g.csv", "t,x\n0,1\n", "y", "a generic gaze CSV"),
    ("g.csv", "timestamp,x,y\n0,1,2\n", "t", "a generic gaze CSV"),
    ("gaze_positions.csv", PUPIL.replace("norm_pos_x", "npx"), "norm_pos_x", "a Pupil Player gaze_positions.csv"),
    ("gaze_positions.csv", PUPIL.replace("gaze_timestamp", "timestamp"), "gaze_timestamp",
     "a Pupil Player gaze_positions.csv"),
    ("rec.tsv", "Gaze point X [DACS px]\tGaze point Y [DACS px]\n1\t2\n", "Recording timestamp", "a Tobii Pro Lab"),
])
def test_a_file_that_looks_like_a_format_is_told_the_column_it_lacks(tmp_path, name, text, field, title):
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as e:
        detect_format(path)
    message = str(e.value)
    assert f"{path}, line 1, field '{field}': missing column; expected a column '{field}'" in message
    assert title in message and "not a gaze file" not in message


def test_a_file_like_no_format_is_not_a_gaze_file(tmp_path):
    with pytest.raises(InputError, match="not a gaze file FaceLens knows"):
        detect_format(write(tmp_path, "notes.txt", "hello world\n"))


@pytest.mark.parametrize("parser, name, header", [
    (parse_generic, "g.csv", "t,x,y\n"),
    (parse_pupil_gaze, "gaze_positions.csv", PUPIL.splitlines()[0] + "\n"),
    (parse_tobii, "rec.tsv", TOBII.splitlines()[0] + "\n"),
])
def test_a_file_with_only_its_header_says_so(tmp_path, parser, name, header):
    # (it said "no sample has a gaze point with confidence of at least 0.6": true, but not why)
    path = write(tmp_path, name, header)
    with pytest.raises(InputError, match=rf"^{path}, line 2: no rows after the header; expected one row per gaze "
                                         r"sample$"):
        parser(path, VIDEO)
