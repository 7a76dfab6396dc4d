"""Alembic migrations of the console database (applied on start by ``db.migrate``)."""
