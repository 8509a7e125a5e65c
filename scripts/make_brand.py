"""Draw the retrowalk brand images (icon and logo) with Pillow.

The mark is a person walking backward on a treadmill: the figure faces right,
a curved arrow above it points left (the way it steps), the belt loop runs
under its feet and the console upright stands behind it. Shapes only, drawn at
a large size and downsampled with LANCZOS; transparent and trimmed, as the Home
Assistant brands repository asks. The logo adds the word "retrowalk" in Pillow's
built-in font.

Usage: python scripts/make_brand.py [output directory]
"""

from __future__ import annotations

import math
from pathlib import Path
import sys

from PIL import Image, ImageDraw, ImageFont

BLUE = "#03A9F4"
GREY = "#37474F"
DRAW = 2048  # working canvas of the mark; at least 4x the largest output
DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent / "custom_components" / "retrowalk" / "brand"
)

type Point = tuple[float, float]


class Pen:
    """Draws round-capped strokes on a square canvas in unit coordinates."""

    def __init__(self, image: Image.Image) -> None:
        """Wrap the image; (0, 0) is its top left and (1, 1) its bottom right."""
        self.draw = ImageDraw.Draw(image)
        self.size = image.width

    def _px(self, point: Point) -> tuple[float, float]:
        """Unit coordinates to pixels."""
        return point[0] * self.size, point[1] * self.size

    def dot(self, center: Point, radius: float, color: str) -> None:
        """A filled circle."""
        x, y = self._px(center)
        r = radius * self.size
        self.draw.ellipse((x - r, y - r, x + r, y + r), fill=color)

    def line(self, points: list[Point], width: float, color: str) -> None:
        """A polyline with round caps and joints."""
        pixels = [self._px(p) for p in points]
        self.draw.line(
            pixels, fill=color, width=round(width * self.size), joint="curve"
        )
        for point in points:
            self.dot(point, width / 2, color)

    def arc(
        self,
        center: Point,
        radius: float,
        start: float,
        end: float,
        *,
        width: float,
        color: str,
    ) -> None:
        """A round-capped arc from start to end degrees (clockwise, 0 = east)."""
        steps = max(8, round(abs(end - start) / 2))
        points = [
            (
                center[0] + radius * math.cos(math.radians(a)),
                center[1] + radius * math.sin(math.radians(a)),
            )
            for a in (start + (end - start) * i / steps for i in range(steps + 1))
        ]
        self.line(points, width, color)

    def arrow(
        self,
        center: Point,
        radius: float,
        start: float,
        end: float,
        *,
        width: float,
        color: str,
    ) -> None:
        """An arc from start to end degrees with a triangular head at its end."""
        head = width * 1.9  # half the width of the arrowhead
        sign = math.copysign(1, end - start)
        base_deg = end - sign * math.degrees(head * 0.6 / radius)
        self.arc(center, radius, start, base_deg, width=width, color=color)
        angle = math.radians(base_deg)
        bx = center[0] + radius * math.cos(angle)
        by = center[1] + radius * math.sin(angle)
        dx, dy = -math.sin(angle) * sign, math.cos(angle) * sign  # along the arc
        corners = [
            (bx + dx * head * 1.1, by + dy * head * 1.1),
            (bx - dx * head * 0.15 - dy * head, by - dy * head * 0.15 + dx * head),
            (bx - dx * head * 0.15 + dy * head, by - dy * head * 0.15 - dx * head),
        ]
        self.draw.polygon([self._px(p) for p in corners], fill=color)


def draw_mark(size: int = DRAW) -> Image.Image:
    """The square mark, untrimmed, on a transparent canvas of the given size."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = Pen(image)

    # Treadmill: the console upright at the back (left) and the belt loop.
    belt = 0.05
    pen.line([(0.20, 0.80), (0.10, 0.44), (0.20, 0.44)], belt, GREY)
    top, bottom = 0.80, 0.92
    pen.line([(0.20, top), (0.84, top)], belt, GREY)
    pen.line([(0.20, bottom), (0.84, bottom)], belt, GREY)
    mid, radius = (top + bottom) / 2, (bottom - top) / 2
    pen.arc((0.20, mid), radius, 90, 270, width=belt, color=GREY)
    pen.arc((0.84, mid), radius, -90, 90, width=belt, color=GREY)

    # Figure facing right (toes point right), mid-stride; the rear (left) leg
    # reaches back and lands on its toes, as in a backward step.
    stroke = 0.07
    hip = (0.50, 0.54)
    pen.dot((0.575, 0.255), 0.068, BLUE)
    pen.line([(0.55, 0.36), hip], stroke, BLUE)
    pen.line([hip, (0.575, 0.635), (0.555, 0.735), (0.625, 0.74)], stroke, BLUE)
    pen.line([hip, (0.44, 0.635), (0.37, 0.71), (0.415, 0.745)], stroke, BLUE)
    pen.line([(0.545, 0.40), (0.615, 0.47), (0.685, 0.425)], stroke * 0.85, BLUE)
    pen.line([(0.535, 0.40), (0.465, 0.465), (0.405, 0.52)], stroke * 0.85, BLUE)

    # Arrow over the head, sweeping from right to left.
    pen.arrow((0.50, 0.72), 0.60, -58, -124, width=0.055, color=BLUE)
    return image


def trim(image: Image.Image) -> Image.Image:
    """Crop to the non-transparent content."""
    box = image.getchannel("A").getbbox()
    assert box is not None
    return image.crop(box)


def fit(
    image: Image.Image, width: int, height: int, margin: float = 0.02
) -> Image.Image:
    """Scale into a transparent width x height canvas, centred.

    The margin on every side is that fraction of the shorter side.
    """
    pad = 2 * margin * min(width, height)
    scale = min((width - pad) / image.width, (height - pad) / image.height)
    scaled = image.resize(
        (round(image.width * scale), round(image.height * scale)),
        Image.Resampling.LANCZOS,
    )
    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    canvas.alpha_composite(
        scaled, ((width - scaled.width) // 2, (height - scaled.height) // 2)
    )
    return canvas


def draw_logo(mark: Image.Image) -> Image.Image:
    """The trimmed mark with the word "retrowalk" to its right."""
    height = mark.height
    font = ImageFont.load_default(size=round(height * 0.42))
    words = (("retro", GREY), ("walk", BLUE))
    gap = round(height * 0.12)
    widths = [font.getlength(text) for text, _ in words]
    text_width = math.ceil(sum(widths) + height * 0.1)  # room for the stroke
    image = Image.new("RGBA", (mark.width + gap + text_width, height), (0, 0, 0, 0))
    image.alpha_composite(mark, (0, 0))
    draw = ImageDraw.Draw(image)
    x = mark.width + gap
    for (text, color), width in zip(words, widths, strict=True):
        draw.text(
            (x, height * 0.62),
            text,
            font=font,
            fill=color,
            anchor="ls",
            stroke_width=round(height * 0.012),
            stroke_fill=color,
        )
        x += width
    return trim(image)


def main() -> None:
    """Write icon.png, icon@2x.png, logo.png and logo@2x.png."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    mark = trim(draw_mark())
    logo = draw_logo(mark)
    for suffix, scale in (("", 1), ("@2x", 2)):
        fit(mark, 256 * scale, 256 * scale).save(
            out / f"icon{suffix}.png", optimize=True
        )
        logo_h = 128 * scale
        logo_w = round(logo.width * logo_h / logo.height)
        fit(logo, logo_w, logo_h).save(out / f"logo{suffix}.png", optimize=True)
        print(f"wrote {out}/icon{suffix}.png and logo{suffix}.png")


if __name__ == "__main__":
    main()
