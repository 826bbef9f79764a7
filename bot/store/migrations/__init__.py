"""The schema's history: one function per migration, oldest first, in ``MIGRATIONS``; the
store's ``PRAGMA user_version`` counts those applied (``bot.store.schema`` runs them). A new
migration is appended to ``release2`` and to ``MIGRATIONS``, never inserted."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from bot.store.migrations import release1, release2
from bot.store.migrations.script import TOKENIZER

__all__ = ["MIGRATIONS", "TOKENIZER"]

MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    release1.migration_1,
    release1.migration_2,
    release1.migration_3,
    release1.migration_4,
    release1.migration_5,
    release1.migration_6,
    release1.migration_7,
    release2.migration_8,
    release2.migration_9,
    release2.migration_10,
    release2.migration_11,
    release2.migration_12,
    release2.migration_13,
    release2.migration_14,
    release2.migration_15,
    release2.migration_16,
    release2.migration_17,
    release2.migration_18,
    release2.migration_19,
)
