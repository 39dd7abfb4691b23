"""JSON-shaped values the store keeps as given: timer and outbox payloads, audit details, Teams
conversation references.

Its own module because four repository groups share these types and none of them owns them.
"""

from __future__ import annotations

from typing import TypeAlias

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"
