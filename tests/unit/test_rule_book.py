"""docs/policy.md, the project's rule book: one entry per rule id, and every id the code cites."""

from __future__ import annotations

import re
from pathlib import Path

from bot.policy.rules import RuleId

ROOT = Path(__file__).resolve().parents[2]
RULE_BOOK = ROOT / "docs" / "policy.md"
RULE_ID = re.compile(r"\b(ACC|CASE|CAL|SLA|FUP|ESC|PRI|REO|INC|NOT|CONV)-(\d+b?)\b")
# The rule families and how many rules each has (plus the lettered ones), as numbered.
FAMILIES = {"ACC": 9, "CASE": 9, "CAL": 3, "SLA": 6, "FUP": 3, "ESC": 10, "PRI": 1, "REO": 3,
            "INC": 6, "NOT": 2, "CONV": 6}  # fmt: skip
LETTERED = {"SLA-5b", "INC-3b"}


def entries() -> dict[str, str]:
    """Rule id -> the text of its entry (up to the next heading)."""
    text = RULE_BOOK.read_text(encoding="utf-8")
    parts = re.split(r"^### (\S+)\n", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1].split("\n## ")[0] for i in range(1, len(parts), 2)}


def cited_in(paths: list[Path]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in paths:
        for family, number in RULE_ID.findall(path.read_text(encoding="utf-8")):
            found.setdefault(f"{family}-{number}", set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_rule_book_has_one_entry_per_rule_id_in_order() -> None:
    expected = [f"{f}-{n}" for f, count in FAMILIES.items() for n in range(1, count + 1)]
    for lettered in sorted(LETTERED):
        family, number = lettered.rsplit("-", 1)
        expected.insert(expected.index(f"{family}-{number[:-1]}") + 1, lettered)
    assert list(entries()) == expected


def test_each_entry_says_where_it_comes_from_and_what_the_bot_does() -> None:
    for rule, text in entries().items():
        assert "- From: " in text, rule
        assert len(text.split()) >= 8, rule


def test_every_rule_id_the_code_cites_has_an_entry_in_the_rule_book() -> None:
    cited = cited_in(sorted((ROOT / "bot").rglob("*.py")))
    missing = {rule: sorted(where) for rule, where in cited.items() if rule not in entries()}
    assert missing == {}
    # The refusals' ids are among them: every rule a Decision or a refusal names.
    refusals = re.compile(r"(?:refuse|refused|allow)\(\s*\"([A-Z]+-\d+b?)\"")
    for path in (ROOT / "bot").rglob("*.py"):
        for rule in refusals.findall(path.read_text(encoding="utf-8")):
            assert rule in entries(), (rule, path)
    # ... and those named as `RuleId` members rather than as strings.
    assert [rule for rule in RuleId if rule not in entries()] == []


def test_rule_book_links_point_at_entries_and_nothing_points_outside_the_repo() -> None:
    anchors = {rule.lower() for rule in entries()}
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for path in documents:
        text = path.read_text(encoding="utf-8")
        for anchor in re.findall(r"policy\.md#([\w-]+)", text):
            assert anchor in anchors, (path.name, anchor)
    outside = re.compile(r"\.\./shared|/work/shared|POLICY\.md")
    sources = [*sorted((ROOT / "bot").rglob("*.py")), *documents, *sorted(ROOT.glob("examples/*"))]
    offenders = [str(p.relative_to(ROOT)) for p in sources if outside.search(p.read_text("utf-8"))]
    assert offenders == []
