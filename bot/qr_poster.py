"""The one-stop desk's QR poster: a PNG with the commune's name, a short instruction and
a QR code of the desk's survey link (domain/surveys.py).

The QR code is made by segno (error correction M, a quiet zone of 4 modules) and drawn
module by module onto a Pillow image, so its size is a whole number of pixels per module
and a phone reads it from across a counter. The words come from the template
`survey_poster.j2` (`part|text` lines: header, title, question, link, steps, footer), rendered
through the bot's renderer and turned into plain text. The font is matplotlib's bundled
DejaVu Sans, which has every Vietnamese glyph and is always installed with the digest's
matplotlib; no system font is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.communes import CommuneSettings
from domain.messages import plain_text
from domain.surveys import SurveyLink
from handlers.render import Renderer

# A5 portrait at 150 dpi.
WIDTH, HEIGHT = 1240, 1754
MARGIN = 90
QR_SIZE = 760
INK = (20, 40, 90)
PAPER = (255, 255, 255)
SIZES = {"header": 34, "title": 54, "question": 44, "link": 26, "steps": 34, "footer": 28}
BOLD = ("header", "title", "question")


@dataclass(frozen=True, slots=True)
class Poster:
    link: str  # what the QR code holds
    start_text: str  # the same, typed on the terminal channel: /start khaosat_QUAY1


def telegram_link(bot_username: str, link: SurveyLink) -> str:
    """`https://t.me/<bot>?start=<payload>` (the payload is already deep-link safe)."""
    return f"https://t.me/{bot_username.removeprefix('@')}?start={link.payload()}"


def _font_path(bold: bool) -> Path:
    # why here: matplotlib is imported only by commands that draw (the digest, the poster)
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def make_poster(
    renderer: Renderer,
    commune: CommuneSettings,
    desk: str,
    url: str,
    out: Path,
) -> None:
    """Draw the poster for `desk`, whose QR code holds `url`, into the PNG `out`."""
    # why here: Pillow and segno are needed only by `danvan qr`
    import segno
    from PIL import Image, ImageDraw, ImageFont

    text = plain_text(renderer.render("survey_poster", commune=commune, desk=desk, url=url))
    parts = [line.partition("|") for line in text.splitlines() if "|" in line]
    fonts = {
        kind: ImageFont.truetype(str(_font_path(kind in BOLD)), size)
        for kind, size in SIZES.items()
    }
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)

    def lines(kind: str, words: str) -> list[str]:
        font = fonts[kind]
        wrapped: list[str] = []
        current = ""
        for word in words.split():
            candidate = f"{current} {word}".strip()
            if current and draw.textlength(candidate, font=font) > WIDTH - 2 * MARGIN:
                wrapped.append(current)
                current = word
            else:
                current = candidate
        return [*wrapped, current] if current else wrapped

    def write(kind: str, words: str, y: int) -> int:
        font = fonts[kind]
        for line in lines(kind, words):
            width = draw.textlength(line, font=font)
            draw.text(((WIDTH - width) / 2, y), line, font=font, fill=INK)
            y += int(SIZES[kind] * 1.35)
        return y + SIZES[kind] // 2

    y = MARGIN
    for kind, _, words in parts:
        if kind in ("header", "title", "question"):
            y = write(kind, words, y)
    qr = segno.make(url, error="m")
    modules = list(qr.matrix_iter(scale=1, border=4))
    scale = max(1, QR_SIZE // len(modules))
    side = scale * len(modules)
    left = (WIDTH - side) // 2
    for row, values in enumerate(modules):
        for column, dark in enumerate(values):
            if dark:
                x0, y0 = left + column * scale, y + row * scale
                draw.rectangle((x0, y0, x0 + scale - 1, y0 + scale - 1), fill=(0, 0, 0))
    y += side + 30
    for kind, _, words in parts:
        if kind in ("link", "steps", "footer"):
            y = write(kind, words, y)
    draw.rectangle((20, 20, WIDTH - 21, HEIGHT - 21), outline=INK, width=6)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG")
