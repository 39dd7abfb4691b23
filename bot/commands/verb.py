"""A chat verb of PRODUCT.md as its module declares it: usage, help line, policy action, options.

Each verb module holds its `VERB` beside its `handle`; `registry.py` collects them from one list.
A verb's options are a small frozen dataclass: a `bool` field is a flag (`--rca`), a `str | None`
field takes a value (`--impact TEXT`); an underscore in a field name is a dash in chat
(`all_users` is `--all-users`). `Verb.read` gives a handler its options typed.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from bot.commands.parser import OptionKind
from bot.messages import Command, is_yes
from bot.policy.access import Action


@dataclass(frozen=True, slots=True)
class NoOptions:
    """The options of a verb that takes none."""


OptionsT = TypeVar("OptionsT")


@dataclass(frozen=True, slots=True)
class Verb(Generic[OptionsT]):
    """One chat verb: how it is typed, what `help` says, and the policy action it asks for."""

    name: str
    action: Action
    usage: str  # the one copy of the usage line: help, parse errors and handlers quote it
    summary: str  # the one-line help
    options: type[OptionsT]
    # Further policy actions the verb's sub-commands ask for (`incident declare`).
    more_actions: tuple[Action, ...] = ()
    # Only reads: the router gives it a read-only unit of work and claims R2 in memory (#18).
    read_only: bool = False
    kinds: Mapping[str, OptionKind] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", _kinds(self.options))

    @property
    def actions(self) -> tuple[Action, ...]:
        return (self.action, *self.more_actions)

    def read(self, command: Command) -> OptionsT:
        """The command's options, typed; a form submission's fields of the same names count too."""
        values: dict[str, Any] = {}
        for name, kind in self.kinds.items():
            raw = command.options.get(name)
            if kind is OptionKind.FLAG:
                values[_field_name(name)] = is_yes(raw)
            else:
                values[_field_name(name)] = raw if isinstance(raw, str) else None
        return cast(Callable[..., OptionsT], self.options)(**values)


def _field_name(option: str) -> str:
    return option.replace("-", "_")


def _kinds(options: type[Any]) -> dict[str, OptionKind]:
    """The parser's view of an options dataclass: each field's chat name and kind."""
    if not dataclasses.is_dataclass(options):
        raise TypeError(f"{options!r}: a verb's options are a dataclass")
    hints = typing.get_type_hints(options)
    kinds: dict[str, OptionKind] = {}
    for item in dataclasses.fields(options):
        hint = hints[item.name]
        if hint is bool:
            kind = OptionKind.FLAG
        elif hint == str | None:
            kind = OptionKind.VALUE
        else:
            raise TypeError(f"{options.__name__}.{item.name}: an option is `bool` or `str | None`")
        kinds[item.name.replace("_", "-")] = kind
    return kinds
