"""Render the Adaptive Card snapshots to PNG with the official JavaScript renderer (a manual tool).

The renderer is the test suite's (`tests/cards/js`, installed by `npm ci` there, or by the card
render test); Chromium comes from Debian (`apt-get install -y chromium`):

    (cd tests/cards/js && npm ci)
    .venv/bin/python scripts/render_cards.py --theme dark live/new_case_alert

Cards are drawn with Teams' own host configs (light, dark, high contrast). PNGs go to
build/cards/ (gitignored) unless --out says otherwise. Markdown goes through markdown-it, close
to Teams, so the escaping of user text (R6) shows the way a reader sees it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "unit" / "cards" / "snapshots" / "teams"
WIDTH = 520
CARD_WIDTH = 480

HOST_CONFIGS = ROOT / "tests" / "cards" / "hostconfigs"
THEMES = ("light", "dark", "high-contrast")
_PAGE_COLOURS = {"light": "#F5F5F5", "dark": "#1F1F1F", "high-contrast": "#000000"}


def host_config(theme: str) -> dict[str, object]:
    """Teams' own host config for the theme (tests/cards/hostconfigs names the sources)."""
    path = HOST_CONFIGS / f"microsoft-teams-{theme}.json"
    loaded: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<style>
body {{ margin: 0; background: {page}; font-family: 'Segoe UI', 'DejaVu Sans', sans-serif; }}
#card {{ width: {card_width}px; margin: 20px; border-radius: 6px;
        box-shadow: 0 1px 4px rgba(0,0,0,.18); overflow: hidden; }}
#card p {{ margin: 0 0 3px 0; }} #card p:last-child {{ margin-bottom: 0; }}
.ac-pushButton {{ border: 1px solid #C8C6C4; background: #FFF; border-radius: 4px; padding: 5px 14px;
        font: 600 14px 'Segoe UI', 'DejaVu Sans', sans-serif; color: #242424; }}
.ac-pushButton.style-positive {{ background: #6264A7; color: #FFF; border-color: #6264A7; }}
.ac-input {{ font: 14px 'DejaVu Sans', sans-serif; }}
.ac-input-container input:not([type=checkbox]), .ac-input-container select, .ac-input-container textarea {{
        width: 100%; box-sizing: border-box; border: 1px solid #C8C6C4; border-radius: 4px; padding: 5px; }}
</style>
<script>{markdown_it}</script>
<script>{adaptivecards}</script>
</head><body><div id="card"></div>
<script>
const md = window.markdownit("commonmark");
AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {{
  result.outputHtml = md.render(text);
  result.didProcess = true;
}};
const card = new AdaptiveCards.AdaptiveCard();
card.hostConfig = new AdaptiveCards.HostConfig({host_config});
card.parse({card});
document.getElementById("card").appendChild(card.render());
const box = document.getElementById("card").getBoundingClientRect();
document.body.setAttribute("data-height", String(Math.ceil(box.bottom) + 20));
</script></body></html>
"""


def chromium_flags(profile: Path) -> list[str]:
    """Headless and offline: no GPU, no background traffic, a throwaway profile."""
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]


def render(card_path: Path, out: Path, js: Path, chromium: str, work: Path, theme: str) -> Path:
    """One snapshot (the first card of a live one) to one PNG, sized to the card's height."""
    card = json.loads(card_path.read_text(encoding="utf-8"))
    if isinstance(card, list):
        card = card[0]
    page = PAGE.format(
        page=_PAGE_COLOURS[theme],
        card_width=CARD_WIDTH,
        markdown_it=(js / "markdown-it" / "dist" / "markdown-it.min.js").read_text(
            encoding="utf-8"
        ),
        adaptivecards=(js / "adaptivecards" / "dist" / "adaptivecards.min.js").read_text(
            encoding="utf-8"
        ),
        host_config=json.dumps(host_config(theme)),
        card=json.dumps(card),
    )
    name = f"{card_path.stem}_{theme}"
    html = work / f"{name}.html"
    html.write_text(page, encoding="utf-8")
    flags = chromium_flags(work / "profile")
    dom = subprocess.run(
        [chromium, *flags, f"--window-size={WIDTH},2000", "--dump-dom", html.as_uri()],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    found = re.search(r'data-height="(\d+)"', dom)
    if found is None:
        raise RuntimeError(f"{card_path.name}: the card did not render")
    png = out / f"{name}.png"
    subprocess.run(
        [
            chromium,
            *flags,
            f"--window-size={WIDTH},{int(found.group(1))}",
            f"--screenshot={png}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return png


def main() -> None:
    """Render every Teams snapshot (or the ones named) to PNG."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--js",
        type=Path,
        default=ROOT / "tests" / "cards" / "js" / "node_modules",
        help="node_modules with adaptivecards and markdown-it",
    )
    parser.add_argument("--theme", choices=THEMES, default="light")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "cards")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument(
        "names", nargs="*", help="snapshots, e.g. case_card or live/new_case_alert (default: all)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    paths = [_snapshot(name) for name in args.names] or sorted(SNAPSHOTS.glob("*.json"))
    with tempfile.TemporaryDirectory(prefix="render-cards-") as work:
        for path in paths:
            js = args.js.expanduser()
            print(render(path, args.out, js, args.chromium, Path(work), args.theme))


def _snapshot(name: str) -> Path:
    """`case_card` (a sample) or `live/new_case_alert` (what production sent)."""
    if name.startswith("live/"):
        return SNAPSHOTS.parent / "live" / "teams" / f"{name.removeprefix('live/')}.json"
    return SNAPSHOTS / f"{name}.json"


if __name__ == "__main__":
    main()
