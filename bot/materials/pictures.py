"""A picture of an exercise's movement, drawn from its pose (``bot.rules.poses``): a calm grey
body and furniture, the affected arm in the accent colour, faint where the movement starts and
solid where it ends, an arrow between. No words, so every language has the same picture; the
left arm when the left side is affected (the picture is mirrored). CPU-bound (about 10 ms):
call it off the event loop."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bot.rules.poses import Pose, Position

WIDTH, HEIGHT = 720, 540
K = 3  # drawn three times larger, then reduced: smooth lines
BODY = (150, 158, 168)
OTHER_ARM = (196, 202, 209)
FURNITURE = (214, 218, 223)
PROP = (120, 128, 138)
PROP_FILL = (238, 240, 243)
ACCENT = (0, 114, 178)  # the affected arm (Okabe–Ito blue, as in the charts)
FAINT = (166, 206, 228)  # where the movement starts
ARROW = (213, 94, 0)  # the movement (Okabe–Ito vermilion)
UPPER, FOREARM, HAND = 100, 90, 40
SHOULDER = (262.0, 182.0)
TABLE_TOP = 300.0

Point = tuple[float, float]


def _dir(degrees: float) -> Point:
    """Side view: 0 points down, 90 forward (right), 180 up."""
    a = math.radians(degrees)
    return math.sin(a), math.cos(a)


def _add(p: Point, d: Point, n: float) -> Point:
    return p[0] + d[0] * n, p[1] + d[1] * n


@dataclass
class _Pen:
    draw: ImageDraw.ImageDraw
    ox: float = 0.0  # where this pen's drawing is placed, and how large (the close-ups
    oy: float = 0.0  # draw two hands side by side)
    scale: float = 1.0

    def placed(self, ox: float, oy: float, scale: float) -> _Pen:
        return _Pen(self.draw, ox, oy, scale)

    def _p(self, x: float, y: float) -> tuple[float, float]:
        return (self.ox + x * self.scale) * K, (self.oy + y * self.scale) * K

    def _w(self, width: float) -> int:
        return max(1, int(width * self.scale * K))

    def line(self, points: Iterable[Point], colour: tuple[int, int, int], width: float) -> None:
        pts = [self._p(x, y) for x, y in points]
        self.draw.line(pts, fill=colour, width=self._w(width), joint="curve")
        r = self._w(width) / 2
        for x, y in (pts[0], pts[-1]):
            self.draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)

    def circle(self, c: Point, r: float, fill: tuple[int, int, int] | str | None,
               outline: tuple[int, int, int] | None = None, width: float = 4) -> None:
        x0, y0 = self._p(c[0] - r, c[1] - r)
        x1, y1 = self._p(c[0] + r, c[1] + r)
        self.draw.ellipse([x0, y0, x1, y1], fill=fill, outline=outline, width=self._w(width))

    def rect(self, a: Point, b: Point, fill: tuple[int, int, int] | None,
             outline: tuple[int, int, int] | None = None, radius: float = 6,
             width: float = 4) -> None:
        x0, y0 = self._p(*a)
        x1, y1 = self._p(*b)
        self.draw.rounded_rectangle([x0, y0, x1, y1], radius=self._w(radius), fill=fill,
                                    outline=outline, width=self._w(width))

    def arrow(self, a: Point, b: Point, *, both: bool, bend: float = 0.25) -> None:
        """A curved arrow from a to b (heads at both ends for a movement back and forth)."""
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        dx, dy = b[0] - a[0], b[1] - a[1]
        control = (mx - dy * bend, my + dx * bend)
        if dy * bend < 0 or (abs(dy) < 1 and control[1] > my):  # bulge away from the body
            control = (mx + dy * bend, my - dx * bend)
        points = [_bezier(a, control, b, t / 24) for t in range(25)]
        self.line(points, ARROW, 6)
        self._head(points[-2], points[-1])
        if both:
            self._head(points[1], points[0])

    def _head(self, before: Point, tip: Point) -> None:
        angle = math.atan2(tip[1] - before[1], tip[0] - before[0])
        size = 20
        left = (tip[0] - size * math.cos(angle - 0.5), tip[1] - size * math.sin(angle - 0.5))
        right = (tip[0] - size * math.cos(angle + 0.5), tip[1] - size * math.sin(angle + 0.5))
        self.draw.polygon([self._p(*tip), self._p(*left), self._p(*right)], fill=ARROW)

    def circling(self, c: Point, r: float) -> None:
        """A circular arrow round ``c``: the hand goes round."""
        points = [(c[0] + r * math.cos(math.radians(a)), c[1] + r * 0.45 * math.sin(
            math.radians(a))) for a in range(20, 341, 10)]
        self.line(points, ARROW, 6)
        self._head(points[-2], points[-1])


def _bezier(a: Point, c: Point, b: Point, t: float) -> Point:
    u = 1 - t
    return (u * u * a[0] + 2 * u * t * c[0] + t * t * b[0],
            u * u * a[1] + 2 * u * t * c[1] + t * t * b[1])


def draw_pose(pose: Pose, *, side: str = "right") -> bytes:
    """PNG bytes of the pose; ``side`` is the affected side ("left" mirrors the picture)."""
    image = Image.new("RGB", (WIDTH * K, HEIGHT * K), "white")
    pen = _Pen(ImageDraw.Draw(image))
    if pose.view == "hand":
        _hand_view(pen, pose)
    elif pose.view == "above":
        _above_view(pen, pose)
    else:
        _side_view(pen, pose)
    small = image.reduce(K)
    if side == "left":
        small = small.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


# ---- seen from the side ------------------------------------------------------------------

def _shoulder(p: Position, shoulder: Point = SHOULDER) -> Point:
    """The shoulder joint, shrugged up or drawn back."""
    return shoulder[0] - p.back, shoulder[1] - p.raise_


def _arm_points(p: Position, shoulder: Point = SHOULDER) -> tuple[Point, Point, Point, float]:
    shoulder = _shoulder(p, shoulder)
    elbow = _add(shoulder, _dir(p.shoulder), UPPER)
    forearm = p.shoulder + p.elbow
    wrist = _add(elbow, _dir(forearm), FOREARM)
    hand_angle = forearm + p.wrist
    tip = _add(wrist, _dir(hand_angle), HAND)
    return elbow, wrist, tip, hand_angle


def _side_view(pen: _Pen, pose: Pose) -> None:
    props = set(pose.props)
    if pose.body == "sitting_bed" or "bed" in props:
        pen.rect((60, 345), (430, 395), FURNITURE, radius=14)
        pen.rect((60, 395), (80, 460), FURNITURE, radius=4)
        pen.rect((410, 395), (430, 460), FURNITURE, radius=4)
    else:
        pen.line([(180, 200), (195, 348)], FURNITURE, 12)  # the chair's back
        pen.line([(195, 348), (305, 348)], FURNITURE, 12)  # its seat
        pen.line([(200, 348), (200, 462)], FURNITURE, 10)
        pen.line([(298, 348), (298, 462)], FURNITURE, 10)
        if "armchair" in props:
            pen.line([(205, 285), (300, 285)], FURNITURE, 12)
            pen.line([(295, 285), (295, 348)], FURNITURE, 10)
    table = pose.body == "sitting_table" or "table" in props
    if table:
        pen.line([(335, TABLE_TOP + 6), (660, TABLE_TOP + 6)], FURNITURE, 12)
        pen.line([(365, TABLE_TOP + 6), (365, 462)], FURNITURE, 10)
        pen.line([(635, TABLE_TOP + 6), (635, 462)], FURNITURE, 10)
    pen.line([(120, 466), (680, 466)], FURNITURE, 4)  # the floor
    # the body: head, trunk, the leg nearer us
    hip = (252.0, 330.0)
    pen.line([hip, SHOULDER], BODY, 30)
    pen.circle((276, 118), 38, BODY)
    pen.line([hip, (372, 334), (374, 450)], BODY, 22)
    pen.line([(374, 450), (410, 452)], BODY, 16)
    if "pillow" in props:
        pen.rect((270, 300), (360, 326), PROP_FILL, PROP, radius=12, width=3)
    start, end = pose.start, pose.end
    if pose.helper or "helper" in props:
        _helper(pen, end)
    other = end if end.hand == "clasp" else None
    _other_arm(pen, other)
    s_elbow, s_wrist, s_tip, s_angle = _arm_points(start)
    e_elbow, e_wrist, e_tip, e_angle = _arm_points(end)
    _props_on_table(pen, pose, s_tip, e_tip, table)
    _arm(pen, start, s_elbow, s_wrist, s_tip, s_angle, FAINT)
    _arm(pen, end, e_elbow, e_wrist, e_tip, e_angle, ACCENT)
    if pose.path == "circle":
        pen.circling(e_tip, 46)
    elif pose.path == "press":  # pushing down: an arrow onto the hand, and weight shown
        x, y = (e_wrist[0] + e_tip[0]) / 2, min(e_wrist[1], e_tip[1])
        pen.arrow((x, y - 90), (x, y - 24), both=False, bend=0.0)
    elif _shoulder(start) != _shoulder(end):  # a shrug, a squeeze: an arrow at the shoulder
        x, y = SHOULDER
        if end.raise_ != start.raise_:
            pen.arrow((x + 48, y + 20), (x + 48, y - 50), both=True, bend=0.0)
        else:
            pen.arrow((x + 30, y - 56), (x - 50, y - 56), both=True, bend=0.0)
    elif math.dist(s_tip, e_tip) > 24:
        pen.arrow(_toward(s_tip, e_tip, 8), _toward(e_tip, s_tip, 8),
                  both=pose.path == "back_and_forth")
    else:  # the hand turns or the fingers move in place: a small arrow beside the hand
        c = _add(e_tip, (0, -1), 40)
        pen.arrow((c[0] - 34, c[1]), (c[0] + 34, c[1]), both=pose.path == "back_and_forth",
                  bend=0.45)


def _toward(a: Point, b: Point, n: float) -> Point:
    d = math.dist(a, b) or 1
    return a[0] + (b[0] - a[0]) * n / d, a[1] + (b[1] - a[1]) * n / d


def _other_arm(pen: _Pen, clasped: Position | None) -> None:
    """The stronger arm, behind the body: resting on the lap, or with the hands clasped."""
    shoulder = (SHOULDER[0] - 10, SHOULDER[1] + 4)
    if clasped is not None:
        elbow, wrist, _, _ = _arm_points(clasped, shoulder)
        pen.line([shoulder, elbow, wrist], OTHER_ARM, 20)
        return
    pen.line([shoulder, (258, 282), (330, 316)], OTHER_ARM, 20)


def _helper(pen: _Pen, p: Position) -> None:
    """Another person's hands under the elbow and the wrist."""
    elbow, wrist, _, _ = _arm_points(p)
    for point in (elbow, wrist):
        pen.rect((point[0] - 26, point[1] + 8), (point[0] + 26, point[1] + 30), OTHER_ARM,
                 radius=11)
        pen.line([(point[0] + 20, point[1] + 22), (point[0] + 90, point[1] + 70)], OTHER_ARM,
                 16)


def _arm(pen: _Pen, p: Position, elbow: Point, wrist: Point, tip: Point, angle: float,
         colour: tuple[int, int, int]) -> None:
    shoulder = _shoulder(p)
    if shoulder != SHOULDER:  # the shoulder itself moves: show its new place
        pen.circle(shoulder, 16, colour)
    pen.line([shoulder, elbow, wrist], colour, 22)
    if p.holds is not None:
        _held(pen, p.holds, _add(wrist, _dir(angle), 22), colour)
        pen.circle(_add(wrist, _dir(angle), 16), 15, colour)
        return
    if p.hand in ("fist", "hold", "clasp"):
        pen.circle(_add(wrist, _dir(angle), 16), 17, colour)
    elif p.hand == "relaxed":
        bend = _add(wrist, _dir(angle), HAND * 0.7)
        pen.line([wrist, bend, _add(bend, _dir(angle + 70), 16)], colour, 16)
    elif p.hand in ("pinch", "o"):
        pen.line([wrist, _add(wrist, _dir(angle), HAND * 0.8)], colour, 18)
        pen.circle(_add(wrist, _dir(angle), HAND * 0.9), 9, None, colour, 5)
    else:  # open, flat, spread, lift, point
        pen.line([wrist, tip], colour, 16)
        if p.hand == "spread":
            pen.line([_add(wrist, _dir(angle), 14), _add(wrist, _dir(angle - 35), HAND)],
                     colour, 10)


def _held(pen: _Pen, prop: str, at: Point, colour: tuple[int, int, int]) -> None:
    """What is in the hand, upright."""
    x, y = at
    if prop == "bottle":
        pen.rect((x - 14, y - 48), (x + 14, y + 22), PROP_FILL, PROP, radius=7, width=3)
        pen.rect((x - 6, y - 62), (x + 6, y - 46), PROP, None, radius=3)
    elif prop in ("cup", "jar"):
        pen.rect((x - 18, y - 30), (x + 18, y + 18), PROP_FILL, PROP, radius=5, width=3)
    elif prop in ("orange", "sock", "sponge"):
        pen.circle((x, y), 20, PROP_FILL, PROP, 3)
    elif prop in ("spoon", "fork", "key"):
        pen.line([(x, y), (x + 40, y - 34)], PROP, 7)
    elif prop in ("card", "paper", "cloth", "peg", "coin", "bean", "pasta"):
        pen.rect((x - 12, y - 16), (x + 12, y + 12), PROP_FILL, PROP, radius=3, width=3)


def _props_on_table(pen: _Pen, pose: Pose, start: Point, end: Point, table: bool) -> None:
    """Props the hand works with, on the table where it reaches."""
    if not table:
        return
    held = {pose.start.holds, pose.end.holds}
    lo, hi = sorted((start[0], end[0]))
    for prop in pose.props:
        if prop in held:
            continue
        if prop in ("towel", "cloth", "paper"):
            pen.rect((lo - 40, TABLE_TOP - 8), (max(hi, lo + 40) + 40, TABLE_TOP), PROP_FILL,
                     PROP, radius=3, width=3)
        elif prop == "cup":
            x = end[0] + 34
            pen.rect((x - 18, TABLE_TOP - 44), (x + 18, TABLE_TOP), PROP_FILL, PROP, radius=5,
                     width=3)
        elif prop == "bottle":
            x = end[0] + 10
            pen.rect((x - 34, TABLE_TOP - 30), (x + 34, TABLE_TOP - 2), PROP_FILL, PROP,
                     radius=12, width=3)
        elif prop == "orange":
            pen.circle((end[0], TABLE_TOP - 20), 20, PROP_FILL, PROP, 3)
        elif prop in ("tape",):
            pen.line([(hi + 50, TABLE_TOP - 2), (hi + 70, TABLE_TOP - 2)], ARROW, 6)
        elif prop in ("book", "card", "coin", "bean", "pasta", "jar", "bowl", "plate"):
            x = end[0] + 46
            pen.rect((x - 24, TABLE_TOP - 14), (x + 24, TABLE_TOP), PROP_FILL, PROP, radius=4,
                     width=3)


# ---- the table from above ----------------------------------------------------------------

def _above_dir(degrees: float) -> Point:
    """Seen from above: 0 points forward (up the picture), 90 out to the affected side."""
    a = math.radians(degrees)
    return math.sin(a), -math.cos(a)


def _above_view(pen: _Pen, pose: Pose) -> None:
    pen.rect((70, 40), (650, 440), FURNITURE, radius=14)  # the table top
    shoulder = (455.0, 470.0)
    other = (265.0, 470.0)
    pen.circle((360, 520), 58, BODY)  # the head, from above, behind
    pen.line([(235, 478), (485, 478)], BODY, 44)  # the shoulders
    pen.line([other, (245, 360), (300, 290)], OTHER_ARM, 22)  # the other arm, resting
    for prop in pose.props:
        if prop in ("towel", "cloth", "paper"):
            _, _, tip = _above_arm(pose.end, shoulder)
            pen.rect((tip[0] - 46, tip[1] - 46), (tip[0] + 46, tip[1] + 46), PROP_FILL, PROP,
                     radius=5, width=3)
        elif prop in ("coin", "card"):
            for x in (360, 560):
                pen.circle((x, 130), 14, PROP_FILL, PROP, 3)
        elif prop == "orange":
            _, _, tip = _above_arm(pose.end, shoulder)
            pen.circle(tip, 34, (240, 160, 60), PROP, 3)
    s_points = _above_arm(pose.start, shoulder)
    e_points = _above_arm(pose.end, shoulder)
    for points, colour in ((s_points, FAINT), (e_points, ACCENT)):
        elbow, wrist, tip = points
        pen.line([shoulder, elbow, wrist], colour, 24)
        pen.line([wrist, tip], colour, 30)
    if pose.path == "circle":
        pen.circling(e_points[2], 60)
    else:
        pen.arrow(_toward(s_points[2], e_points[2], 30), _toward(e_points[2], s_points[2], 30),
                  both=pose.path == "back_and_forth")


def _above_arm(p: Position, shoulder: Point) -> tuple[Point, Point, Point]:
    """Elbow, wrist and finger tips from above: the upper arm's reach shrinks as it hangs."""
    reach = 0.35 + 0.65 * math.sin(math.radians(min(max(p.shoulder, 0), 90)))
    elbow = _add(shoulder, _above_dir(p.across), 110 * reach + 30)
    forearm = p.across - p.elbow * 0.8  # bending brings the hand toward the middle
    wrist = _add(elbow, _above_dir(forearm), 110)
    tip = _add(wrist, _above_dir(forearm), 42)
    return elbow, wrist, tip


# ---- the hand, close up ------------------------------------------------------------------

FINGERS = ("index", "middle", "ring", "little")
_KNUCKLES = {"index": (300.0, 250.0), "middle": (345.0, 238.0), "ring": (390.0, 246.0),
             "little": (430.0, 266.0)}
_LENGTH = {"index": 118.0, "middle": 130.0, "ring": 118.0, "little": 92.0}


def _hand_view(pen: _Pen, pose: Pose) -> None:
    """Two hands side by side, the start faint on the left and the end solid on the right,
    an arrow from one to the other (or a circle round one that goes round)."""
    pen.rect((20, 430), (700, 480), FURNITURE, radius=12)  # the table under the hands
    props = set(pose.props)
    if pose.path == "circle":
        _hand(pen.placed(130, 20, 1.0), pose.end, ACCENT, props)
        _hand_props(pen.placed(130, 20, 1.0), props, pose.end)
        pen.circling((490, 330), 110)
        return
    for position, colour, x in ((pose.start, FAINT, -120.0), (pose.end, ACCENT, 250.0)):
        placed = pen.placed(x, 95, 0.8)
        _hand(placed, position, colour)
        _hand_props(placed, props, position)
    pen.arrow((300, 250), (420, 250), both=pose.path == "back_and_forth", bend=0.3)


def _hand_props(pen: _Pen, props: set[str], p: Position) -> None:
    if "sponge" in props and p.hand in ("pinch", "o"):
        meet = _pinch_point(p)
        pen.rect((meet[0] - 22, meet[1] - 18), (meet[0] + 22, meet[1] + 18), (250, 222, 120),
                 PROP, radius=8, width=3)
    if "sponge" in props and p.hand in ("fist", "hold"):  # squeezed out between the fingers
        squeeze = 0.55 if p.hand == "fist" else 1.0
        pen.rect((300, 390 - 40 * squeeze), (410, 390 + 10), (250, 222, 120), PROP,
                 radius=10, width=3)
    if props & {"coin", "bean", "pasta"} and p.hand in ("pinch", "o"):
        meet = _pinch_point(p)
        pen.circle(meet, 13, PROP_FILL, PROP, 3)
    if "peg" in props and p.hand in ("pinch", "o"):
        meet = _pinch_point(p)
        pen.rect((meet[0] - 8, meet[1] - 40), (meet[0] + 8, meet[1] + 40), (222, 190, 140),
                 PROP, radius=4, width=3)
    if "card" in props and p.hand in ("flat", "open", "spread"):
        pen.rect((300, 150), (400, 230), PROP_FILL, PROP, radius=6, width=3)


def _finger_line(name: str, p: Position) -> list[Point]:
    """One finger's joints, from its knuckle, in the hand's shape at ``p``."""
    base = _KNUCKLES[name]
    length = _LENGTH[name]
    spread = {"index": -14.0, "middle": -4.0, "ring": 6.0, "little": 16.0}[name]
    fan = spread * (2.2 if p.hand == "spread" else 1.0)
    if p.hand in ("fist", "hold") or (p.hand == "point" and name != "index"):
        return [base, _add(base, _above_dir(fan), length * 0.28)]
    if p.hand == "relaxed":
        return [base, _add(base, _above_dir(fan), length * 0.6)]
    if p.hand in ("pinch", "o") and name == p.finger:
        meet = _pinch_point(p)
        return [base, ((base[0] + meet[0]) / 2, base[1] - length * 0.5), meet]
    if p.hand == "lift" and name == p.finger:
        return [base, _add(base, _above_dir(fan), length * 0.55)]  # seen end-on: shorter
    if p.hand in ("pinch", "o"):
        return [base, _add(base, _above_dir(fan + 10), length * 0.75)]
    return [base, _add(base, _above_dir(fan), length)]


def _pinch_point(p: Position) -> Point:
    finger = p.finger if p.finger != "thumb" else "index"
    base = _KNUCKLES[finger]
    return base[0] - 70, base[1] - 45


def _thumb_line(p: Position) -> list[Point]:
    base = (258.0, 330.0)
    if p.hand in ("pinch", "o"):
        meet = _pinch_point(p)
        return [base, (base[0] - 40, base[1] - 50), meet]
    if p.hand in ("fist", "hold", "point"):
        return [base, (base[0] + 30, base[1] - 40), (base[0] + 70, base[1] - 50)]
    if p.hand == "spread":
        return [base, (base[0] - 60, base[1] - 40), (base[0] - 110, base[1] - 70)]
    return [base, (base[0] - 45, base[1] - 35), (base[0] - 80, base[1] - 60)]


def _hand(pen: _Pen, p: Position, colour: tuple[int, int, int],
          props: set[str] | None = None) -> None:
    if props and props & {"jar", "orange"} and p.hand == "hold":  # under the hand, round
        pen.circle((355, 250), 105, (240, 160, 60) if "orange" in props else PROP_FILL,
                   PROP, 4)
    pen.rect((270, 240), (440, 390), colour, radius=46)  # the back of the hand
    if p.forearm == "palm_up":  # the palm towards us: its creases show
        pen.line([(300, 300), (350, 318), (410, 300)], "white", 6)
        pen.line([(300, 340), (345, 352)], "white", 6)
    pen.rect((300, 380), (420, 470), colour, radius=20)  # the wrist
    for name in FINGERS:
        pen.line(_finger_line(name, p), colour, 30 if name != "little" else 26)
    pen.line(_thumb_line(p), colour, 32)
    if p.hand == "o":
        meet = _pinch_point(p)
        pen.circle((meet[0] + 24, meet[1] + 40), 22, "white", colour, 10)
    if p.hand == "lift":  # the raised finger, marked from above with a small ring
        tip = _finger_line(p.finger, p)[-1] if p.finger != "thumb" else _thumb_line(p)[-1]
        pen.circle(tip, 24, None, ARROW, 5)
