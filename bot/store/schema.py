"""The schema's version: ``PRAGMA user_version`` counts the migrations applied, and
``migrate`` applies the pending ones (``bot.store.migrations``) in one write transaction."""

from __future__ import annotations

import logging

import sqlite_utils

from bot.errors import StoreError
from bot.store.migrations import MIGRATIONS, TOKENIZER

logger = logging.getLogger(__name__)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "TOKENIZER", "migrate", "schema_version"]

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database, path: str, target: int = SCHEMA_VERSION) -> None:
    """Apply the pending migrations up to ``target`` (an older schema only for tests of
    upgrades), all in one write transaction taken up front, so two processes opening a new
    database at once apply each migration once."""
    if schema_version(db) == target:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(db)
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{path} was written by a newer newsbot (schema {current}, "
                f"this one knows {SCHEMA_VERSION}); upgrade newsbot."
            )
        for version in range(current + 1, target + 1):
            MIGRATIONS[version - 1](db)
            db.execute(f"PRAGMA user_version = {version:d}")
            logger.info("Migrated %s to schema version %d", path, version)
        db.execute("COMMIT")
    except BaseException:
        db.conn.rollback()
        raise
