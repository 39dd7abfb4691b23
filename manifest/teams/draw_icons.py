"""Draw the Teams app icons (color.png 192x192, outline.png 32x32) without image libraries.

Run `python manifest/teams/draw_icons.py` to regenerate them; the PNGs are committed. Teams wants
the colour icon on a full background and the outline icon white on transparent.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

Pixel = tuple[int, int, int, int]
HERE = Path(__file__).parent
BLUE: Pixel = (0x2B, 0x57, 0x97, 255)
WHITE: Pixel = (255, 255, 255, 255)
CLEAR: Pixel = (0, 0, 0, 0)


def png(size: int, paint: Callable[[float, float], Pixel]) -> bytes:
    """An RGBA PNG of `size` x `size`; `paint(x, y)` gets coordinates in 0..1."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(paint((x + 0.5) / size, (y + 0.5) / size)) for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def bubble(x: float, y: float) -> bool:
    """A speech bubble: a rounded box with a tail at the lower left."""
    inside_box = 0.18 <= x <= 0.82 and 0.22 <= y <= 0.66
    corner = min(abs(x - 0.18), abs(x - 0.82)) < 0.06 and min(abs(y - 0.22), abs(y - 0.66)) < 0.06
    rounded = inside_box and not (corner and _corner_cut(x, y))
    tail = 0.28 <= x <= 0.42 and 0.66 <= y <= 0.80 and (y - 0.66) <= (0.42 - x)
    return rounded or tail


def _corner_cut(x: float, y: float) -> bool:
    cx = 0.24 if x < 0.5 else 0.76
    cy = 0.28 if y < 0.5 else 0.60
    beyond = (x < cx if x < 0.5 else x > cx) and (y < cy if y < 0.5 else y > cy)
    return beyond and (x - cx) ** 2 + (y - cy) ** 2 > 0.06**2


def color(x: float, y: float) -> Pixel:
    return WHITE if bubble(x, y) else BLUE


def outline(x: float, y: float) -> Pixel:
    return WHITE if bubble(x, y) else CLEAR


if __name__ == "__main__":
    (HERE / "color.png").write_bytes(png(192, color))
    (HERE / "outline.png").write_bytes(png(32, outline))
