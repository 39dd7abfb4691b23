"""The store's own errors, whichever repository raises them.

One module rather than one per repository group: callers catch them around a whole unit of
work (the router runs a command again on `ConnectionLost`, `supportbot` refuses to start on
`SchemaOutdated`), not around one repository's call.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's own errors."""


class CaseNotFound(StoreError):
    """An update named a case number that does not exist."""

    def __init__(self, number: int) -> None:
        super().__init__(f"no case {number}")
        self.number = number


class IncidentNotFound(StoreError):
    """An update named an incident id that does not exist."""

    def __init__(self, incident_id: int) -> None:
        super().__init__(f"no incident {incident_id}")
        self.incident_id = incident_id


class EscalationWaiting(StoreError):
    """ESC-9: the case already has an escalation waiting for a decision."""

    def __init__(self, case_number: int) -> None:
        super().__init__(f"case {case_number} already has an escalation waiting")
        self.case_number = case_number


class ConnectionLost(StoreError):
    """The database connection died before anything was committed: running again is safe."""


class SchemaOutdated(StoreError):
    """The database schema is behind this release; run `supportbot db upgrade`."""
