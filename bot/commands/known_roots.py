"""CONV-1 thread roots this process knows are recorded, so that recording one again is free.

A root is remembered once per (case, platform, kind, route) and never replaced or removed (the
first post wins; the row goes only with its case), so once the store has one for a key, every
later `record_root` for that key would insert nothing. A case card is posted, and its root
offered, on every `show` or `open` answered in a channel: without this each of them opened a
writing unit of work (on SQLite, the writer's turn) to insert nothing (#18).
"""

from __future__ import annotations

from collections import OrderedDict

from bot.conversation import ThreadRoot

DEFAULT_SIZE = 10_000

RootKey = tuple[int, str, str, str]  # case number, platform, kind, route


class KnownRoots:
    """The keys of roots the store holds, the most recently used `size` of them."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("the known roots need room for at least one")
        self.size = size
        self._keys: OrderedDict[RootKey, None] = OrderedDict()

    def __contains__(self, root: ThreadRoot) -> bool:
        key = _key(root)
        if key not in self._keys:
            return False
        self._keys.move_to_end(key)
        return True

    def add(self, root: ThreadRoot) -> None:
        """`root`'s thread has a root in the store (this one or an earlier one)."""
        self._keys[_key(root)] = None
        self._keys.move_to_end(_key(root))
        while len(self._keys) > self.size:
            self._keys.popitem(last=False)


def _key(root: ThreadRoot) -> RootKey:
    return (root.case_number, root.platform.value, root.kind.value, root.route)
