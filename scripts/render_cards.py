"""Render the Adaptive Card snapshots to PNG with the official JavaScript renderer (a manual tool).

Nothing is downloaded: install the renderer once, outside the repo, then point --js at it:

    npm install --prefix ~/.cache/supportbot-cards adaptivecards@3.0.6 markdown-it@14
    apt-get install -y chromium
    .venv/bin/python scripts/render_cards.py --js ~/.cache/supportbot-cards/node_modules

PNGs go to build/cards/ (gitignored). Markdown goes through markdown-it, as in Teams, so the
escaping of user text (R6) shows the way a reader sees it.
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

# Close to the Teams light theme, so the screenshots look like what users get.
HOST_CONFIG = {
    "fontFamily": "'Segoe UI', 'DejaVu Sans', sans-serif",
    "supportsInteractivity": True,
    "spacing": {
        "small": 4,
        "default": 8,
        "medium": 16,
        "large": 20,
        "extraLarge": 24,
        "padding": 16,
    },
    "separator": {"lineThickness": 1, "lineColor": "#E1DFDD"},
    "fontSizes": {"small": 12, "default": 14, "medium": 14, "large": 18, "extraLarge": 24},
    "fontWeights": {"lighter": 200, "default": 400, "bolder": 600},
    "containerStyles": {
        "default": {
            "backgroundColor": "#FFFFFF",
            "foregroundColors": {
                "default": {"default": "#242424", "subtle": "#616161"},
                "accent": {"default": "#6264A7", "subtle": "#8B8CC7"},
                "attention": {"default": "#C4314B", "subtle": "#D74654"},
                "good": {"default": "#237B4B", "subtle": "#2D8B57"},
                "warning": {"default": "#835C00", "subtle": "#C19C00"},
            },
        }
    },
    "actions": {
        "maxActions": 6,
        "spacing": "default",
        "buttonSpacing": 8,
        "actionsOrientation": "horizontal",
        "actionAlignment": "left",
        "showCard": {"actionMode": "inline"},
    },
    "factSet": {
        "title": {"weight": "bolder", "wrap": True, "maxWidth": 150},
        "value": {"wrap": True},
        "spacing": 8,
    },
}

PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<style>
body {{ margin: 0; background: #F5F5F5; font-family: 'Segoe UI', 'DejaVu Sans', sans-serif; }}
#card {{ width: {card_width}px; margin: 20px; background: #FFF; border-radius: 6px;
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


def render(card_path: Path, out: Path, js: Path, chromium: str, work: Path) -> Path:
    """One snapshot to one PNG, sized to the rendered card's height."""
    page = PAGE.format(
        card_width=CARD_WIDTH,
        markdown_it=(js / "markdown-it" / "dist" / "markdown-it.min.js").read_text(
            encoding="utf-8"
        ),
        adaptivecards=(js / "adaptivecards" / "dist" / "adaptivecards.min.js").read_text(
            encoding="utf-8"
        ),
        host_config=json.dumps(HOST_CONFIG),
        card=card_path.read_text(encoding="utf-8"),
    )
    html = work / f"{card_path.stem}.html"
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
    png = out / f"{card_path.stem}.png"
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
        "--js", type=Path, required=True, help="node_modules with adaptivecards and markdown-it"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "cards")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("names", nargs="*", help="snapshot names, e.g. case_card (default: all)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    paths = [SNAPSHOTS / f"{name}.json" for name in args.names] or sorted(SNAPSHOTS.glob("*.json"))
    with tempfile.TemporaryDirectory(prefix="render-cards-") as work:
        for path in paths:
            print(render(path, args.out, args.js.expanduser(), args.chromium, Path(work)))


if __name__ == "__main__":
    main()
