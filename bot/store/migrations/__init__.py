"""Alembic migrations of the store's schema (run by `supportbot db upgrade` or on first use)."""
