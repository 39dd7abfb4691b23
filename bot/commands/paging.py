"""`--page N` of the list views: a card shows one page of `PAGE_SIZE` rows (cards have limits)."""

from __future__ import annotations

from bot.commands.context import Refused
from bot.messages import Reply

PAGE_SIZE = 25
MAX_PAGE = 1_000


def page_number(raw: str | None) -> int:
    """The `--page` asked for (1 when absent); a bad one ends the handler with its usage."""
    if raw is None:
        return 1
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise Refused(
            Reply.invalid(f"`--page {text[:20]}`: give a page number from 1 to {MAX_PAGE:,}.")
        )
    return int(text)


def titled(title: str, page: int, total: int) -> str:
    """The title with "page N of M" when the rows take more than one page."""
    pages = max(1, -(-total // PAGE_SIZE))
    return f"{title} (page {page} of {pages})" if pages > 1 or page > 1 else title
