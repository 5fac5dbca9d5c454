"""What an exercise's picture shows, as plain data: the body's position, the props, and the
affected arm at the start and at the end of one repetition. The picture itself is drawn from
this by ``bot.materials.pictures``; here is only its shape, validated with the content.

Angles are in degrees, of the affected arm, as a therapist measures them:

- ``shoulder``: flexion, the upper arm's angle forward from hanging down (0 down along the
  body, 90 straight forward, 180 straight up);
- ``elbow``: flexion (0 straight, 145 fully bent);
- ``wrist``: extension, the back of the hand lifting (negative: the hand dropping);
- ``across`` (seen from above only): the arm's angle across the table, 0 straight ahead,
  positive out to the affected side, negative across the body.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Body = Literal["sitting", "sitting_table", "sitting_bed"]
# side: the arm seen from the affected side; above: the table seen from above (slides to the
# side, circles); hand: a close-up of the hand for the fine skills (pinch, thumb, fingers)
View = Literal["side", "above", "hand"]
Prop = Literal["table", "chair", "armchair", "pillow", "towel", "cup", "bottle", "orange",
               "sponge", "peg", "coin", "card", "cloth", "paper", "book", "jar", "spoon",
               "fork", "key", "sock", "shirt", "tap", "bean", "pasta", "bed", "helper", "tape",
               "bowl", "plate"]
# the hand's shape: open (fingers straight), relaxed (softly curled), fist, flat (pressing on a
# surface), hold (round a cup or bottle), pinch (thumb and a finger tip together), o (thumb
# and first finger make an O), spread (fingers wide apart), lift (one finger raised), clasp
# (both hands together), point (the first finger forward)
Hand = Literal["open", "relaxed", "fist", "flat", "hold", "pinch", "o", "spread", "lift",
               "clasp", "point"]
Forearm = Literal["palm_down", "palm_up", "thumb_up"]


class Position(BaseModel):
    """The affected arm at one moment."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    shoulder: int = Field(default=0, ge=-30, le=180)
    elbow: int = Field(default=0, ge=0, le=150)
    wrist: int = Field(default=0, ge=-80, le=80)
    across: int = Field(default=0, ge=-90, le=90)
    raise_: int = Field(default=0, ge=0, le=30, alias="raise")  # the shoulder shrugged up
    back: int = Field(default=0, ge=0, le=30)  # the shoulder blade drawn back
    forearm: Forearm = "thumb_up"
    hand: Hand = "relaxed"
    finger: Literal["thumb", "index", "middle", "ring", "little"] = "index"  # pinch, lift
    holds: Prop | None = None  # what is in the hand (a cup, a bottle, a sponge)


class Pose(BaseModel):
    """An exercise's picture: where the body is, what is around it, and the movement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    body: Body = "sitting"
    view: View = "side"
    props: list[Prop] = Field(default_factory=list)
    start: Position
    end: Position
    # back_and_forth and line: arrows from the start to the end; circle: round and round;
    # press: the hand (or forearm) pushes down where it is, an arrow onto it
    path: Literal["line", "circle", "back_and_forth", "press"] = "back_and_forth"
    helper: bool = False  # another person's hands support the arm

    @model_validator(mode="after")
    def _moves(self) -> Pose:
        if self.start == self.end and self.path not in ("circle", "press"):
            raise ValueError("the start and the end are the same: nothing would be seen to move")
        return self
