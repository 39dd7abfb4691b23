"""What a case service works in: one open unit of work and the policy it is judged by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.policy.config import PolicyConfig
from bot.store.interface import UnitOfWork


class Work(Protocol):
    """A handler's `Context` or a sweep's `CaseWork`: the services need nothing more."""

    @property
    def uow(self) -> UnitOfWork: ...

    @property
    def config(self) -> PolicyConfig: ...


@dataclass(frozen=True, slots=True)
class CaseWork:
    """The `Work` of a scheduler sweep, which has no chat request around it."""

    uow: UnitOfWork
    config: PolicyConfig
