"""Pictures of the movements: every exercise has a pose that validates, and draws; a pose
that shows nothing moving is refused; the left side is the right side mirrored."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops
from pydantic import ValidationError

from bot.materials.catalogue import load_exercises
from bot.materials.pictures import HEIGHT, WIDTH, draw_pose
from bot.rules.poses import Pose


def test_every_exercise_has_a_pose_and_it_draws() -> None:
    exercises = load_exercises()
    assert all(e.pose is not None for e in exercises.values())
    views = {e.pose.view for e in exercises.values() if e.pose is not None}
    assert views == {"side", "above", "hand"}  # the fine skills are close-ups
    fine = [e for e in exercises.values() if e.motor == "fine" and e.pose is not None]
    assert fine and sum(e.pose.view == "hand" for e in fine) >= len(fine) * 0.6  # type: ignore[union-attr]
    for exercise in exercises.values():
        assert exercise.pose is not None
        image = Image.open(io.BytesIO(draw_pose(exercise.pose)))
        assert image.size == (WIDTH, HEIGHT)
        red, _, blue = image.split()
        accent = ImageChops.multiply(red.point(lambda v: 255 if v < 60 else 0),
                                     blue.point(lambda v: 255 if v > 150 else 0))
        assert accent.histogram()[255] > 500, exercise.id  # the arm, in the accent colour


def test_the_left_side_is_the_right_side_mirrored() -> None:
    pose = load_exercises()["elbow_bend"].pose
    assert pose is not None
    right = Image.open(io.BytesIO(draw_pose(pose, side="right")))
    left = Image.open(io.BytesIO(draw_pose(pose, side="left")))
    assert ImageChops.difference(left.transpose(Image.Transpose.FLIP_LEFT_RIGHT), right
                                 ).getbbox() is None
    assert ImageChops.difference(left, right).getbbox() is not None


def test_a_pose_where_nothing_moves_is_refused() -> None:
    still = {"shoulder": 20, "elbow": 70, "hand": "flat"}
    with pytest.raises(ValidationError, match="nothing would be seen to move"):
        Pose.model_validate({"start": still, "end": still})
    Pose.model_validate({"start": still, "end": still, "path": "circle"})  # round and round
    with pytest.raises(ValidationError):
        Pose.model_validate({"start": still, "end": {**still, "elbow": 400}})
    with pytest.raises(ValidationError):
        Pose.model_validate({"start": still, "end": still, "props": ["trampoline"]})
