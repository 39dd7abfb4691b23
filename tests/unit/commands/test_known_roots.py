"""`KnownRoots`: the CONV-1 roots a process knows the store holds, most recently used kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.commands.known_roots import KnownRoots
from bot.conversation import ThreadKind, ThreadRoot
from bot.model import Platform

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _root(number: int, route: str = "C1", kind: ThreadKind = ThreadKind.CUSTOMER) -> ThreadRoot:
    return ThreadRoot(number, Platform.SLACK, kind, route, f"{number}.1", T0)


def test_a_root_is_known_by_its_thread_not_its_message() -> None:
    known = KnownRoots()
    known.add(_root(1001))
    later_card = ThreadRoot(1001, Platform.SLACK, ThreadKind.CUSTOMER, "C1", "9.9", T0)
    assert later_card in known
    assert _root(1001, route="C2") not in known
    assert _root(1001, kind=ThreadKind.SUPPORT) not in known
    assert ThreadRoot(1001, Platform.TEAMS, ThreadKind.CUSTOMER, "C1", "1.1", T0) not in known


def test_the_least_recently_used_is_forgotten_first() -> None:
    known = KnownRoots(size=2)
    known.add(_root(1))
    known.add(_root(2))
    assert _root(1) in known  # used: 2 is now the oldest
    known.add(_root(3))
    assert _root(2) not in known
    assert _root(1) in known and _root(3) in known


def test_it_needs_room_for_one() -> None:
    with pytest.raises(ValueError, match="at least one"):
        KnownRoots(size=0)
