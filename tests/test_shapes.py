import numpy as np
import pytest

from annotation.errors import InputError
from annotation.shapes import Box, Keypoints, Mask, Points, Polygon, Tag, shape_from_geometry


@pytest.mark.parametrize("shape", [
    Box(30, 40, 10, 5),
    Polygon([(0, 0), (10, 0), (10, 8)]),
    Points([(1, 2), (3, 4)], (1, 0)),
    Keypoints([(1, 2, 2), (5, 6, 0)], ("left eye", "right eye")),
    Tag(),
])
def test_geometry_round_trip(shape):
    assert shape_from_geometry(shape.kind, shape.to_geometry()) == shape


def test_box_is_normalised_whichever_way_it_was_dragged():
    assert Box(30, 40, 10, 5) == Box(10, 5, 30, 40)
    assert Box(10, 5, 30, 40).area() == 20 * 35


def test_mask_round_trip_and_measures():
    m = np.zeros((48, 64), bool)
    m[10:20, 5:25] = True
    mask = Mask.from_array(m)
    again = shape_from_geometry("mask", mask.to_geometry())
    assert (again.to_array() == m).all()
    assert mask.area() == 200
    assert mask.bbox() == (5.0, 10.0, 20.0, 10.0)
    assert mask.size == (48, 64)


def test_polygon_area():
    assert Polygon([(0, 0), (4, 0), (4, 3), (0, 3)]).area() == 12


@pytest.mark.parametrize("kind, geometry, field", [
    ("box", {"xyxy": [1, 2, 3]}, "geometry.xyxy"),
    ("box", {}, "geometry"),
    ("polygon", {"points": [[0, 0], [1, 1]]}, "points"),
    ("mask", {"size": [2], "counts": "x"}, "geometry"),
    ("points", {"points": [[0, 0]], "labels": [3]}, "labels"),
    ("circle", {}, "kind"),
])
def test_bad_geometry_names_the_field(kind, geometry, field):
    with pytest.raises(InputError) as e:
        shape_from_geometry(kind, geometry)
    assert f"field '{field}'" in str(e.value)
