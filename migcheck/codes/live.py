"""The rows of what a migration does to a live table, as observed statement by statement
on the server (MC501-MC506, see ``migcheck.observed``): warnings by default, since whether
a lock or a rewrite hurts depends on the table's size and traffic, which only the project
knows (``severity = { MC501 = "error" }`` makes one fail the check)."""

from __future__ import annotations

from migcheck.codes.rule import Code, Rule, Stage

RULES: tuple[Rule, ...] = (
    Rule(
        Code.MC501,
        "warning",
        Stage.WALK,
        "table rewritten",
        "A statement gave a table, index or materialized view that existed before the "
        "revision new storage: every row was copied while an ACCESS EXCLUSIVE lock kept "
        "reads and writes waiting (ALTER COLUMN ... TYPE, a volatile default, SET LOGGED, "
        "a table recreated by batch_alter_table). On a big table, minutes of downtime.",
        "Add a new column, backfill it in batches and switch to it in later releases; keep "
        "defaults immutable (PostgreSQL 11+ adds those without a rewrite); on PostgreSQL, "
        "leave batch_alter_table out (plain op.* operations alter in place).",
    ),
    Rule(
        Code.MC502,
        "warning",
        Stage.WALK,
        "ACCESS EXCLUSIVE lock held during work",
        "A statement took an ACCESS EXCLUSIVE lock on a table that existed, and later "
        "statements of the same transaction scanned or wrote rows while it was held: no "
        "query on that table, not even a SELECT, ran until the transaction committed.",
        "Commit the DDL first and do the work after it: a data migration in a revision of "
        "its own, or the DDL in op.get_context().autocommit_block().",
    ),
    Rule(
        Code.MC503,
        "warning",
        Stage.WALK,
        "index built without CONCURRENTLY",
        "An index was built on a table that existed before the revision while writes to "
        "the table waited (CREATE INDEX without CONCURRENTLY, or a UNIQUE or PRIMARY KEY "
        "constraint added with its index).",
        "op.create_index(..., postgresql_concurrently=True) inside "
        "op.get_context().autocommit_block(); for a constraint, build the unique index "
        "concurrently first, then ADD CONSTRAINT ... USING INDEX.",
    ),
    Rule(
        Code.MC504,
        "warning",
        Stage.WALK,
        "constraint validated under a lock that blocks writes",
        "A foreign key or CHECK constraint on a table that existed was checked against "
        "every row while writes to the table waited (added without NOT VALID, or "
        "validated in the transaction that added it).",
        "Add it with NOT VALID (postgresql_not_valid=True, or op.execute), then VALIDATE "
        "CONSTRAINT in a later transaction: validating takes a lock that lets writes "
        "go on.",
    ),
    Rule(
        Code.MC505,
        "warning",
        Stage.WALK,
        "SET NOT NULL scanned the table",
        "A column of a table that existed was made NOT NULL: PostgreSQL read every row "
        "under an ACCESS EXCLUSIVE lock to prove it, since no valid CHECK (column IS NOT "
        "NULL) constraint spared the scan.",
        "Add CHECK (column IS NOT NULL) NOT VALID, VALIDATE it in a later transaction, "
        "then SET NOT NULL (no scan) and drop the CHECK.",
    ),
    Rule(
        Code.MC506,
        "warning",
        Stage.WALK,
        "strong lock without lock_timeout",
        "A statement took a lock that blocks writes (or reads) on a table that existed, "
        "with no lock_timeout in force. Queued behind a long transaction, the migration "
        "waits for the lock, and every query on the table queues behind the migration.",
        "SET lock_timeout first (op.execute(\"SET lock_timeout = '5s'\") at the top of "
        "upgrade(), or in env.py for every migration) and retry the deployment when it "
        "times out.",
    ),
)
