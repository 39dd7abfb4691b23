"""A real vendor's directory file (#18): the example directory plus 5,000 accounts and 50,000
contacts, each contact with a Slack id and one grant, written as `supportbot directory load`
reads it. `changed` renames a share of the generated contacts (what a daily re-export changes).

Run: `python bench/vendor_directory.py OUT.yaml [--accounts N] [--contacts N] [--changed F]`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "directory.yaml"


def vendor_directory(accounts: int, contacts: int, changed: float = 0.0) -> dict[str, Any]:
    """The example directory's entries plus the generated ones, as the YAML document."""
    doc: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for a in range(accounts):
        doc["accounts"].append(
            {
                "id": f"acct{a:05d}",
                "sold_to": f"Customer {a} Inc",
                "end_user": f"Customer {a} Inc",
                "partner": False,
                "deployment": "cloud" if a % 2 else "on_premises",
                "care_level": ("business", "business_plus", "premium")[a % 3],
                "region": ("NA", "EMEA", "APAC")[a % 3],
                "contract": {"start": "2026-01-01", "end": "2027-12-31"},
            }
        )
    renamed = int(contacts * changed)
    for c in range(contacts):
        home = c % accounts
        doc["contacts"].append(
            {
                "email": f"person{c:06d}@customer{home}.example",
                "name": f"Person {c}" + (" (renamed)" if c < renamed else ""),
                "company": f"Customer {home} Inc",
                "slack": {"team": f"T{home:08d}", "user": f"U{c:08d}"},
                "grants": [
                    {"account": f"acct{home:05d}", "level": ("designated", "read_only")[c % 2]}
                ],
            }
        )
    return doc


def write(path: Path, accounts: int, contacts: int, changed: float = 0.0) -> Path:
    """Write the file; returns `path`."""
    text = yaml.dump(
        vendor_directory(accounts, contacts, changed),
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        sort_keys=False,
    )
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--changed", type=float, default=0.0)
    args = parser.parse_args()
    write(args.out, args.accounts, args.contacts, args.changed)


if __name__ == "__main__":
    main()
