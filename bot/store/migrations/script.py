"""Running a migration's SQL script inside the migration's transaction."""

from __future__ import annotations

import sqlite3

import sqlite_utils

TOKENIZER = "porter unicode61 remove_diacritics 2"


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run a script one statement at a time: ``executescript`` would commit the migration's
    transaction first, so a failed migration could leave half a schema."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
