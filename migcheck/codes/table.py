"""The rows of the codes of the walk, the models, the revision graph, the rows in the
tables and the deployed release (MC1xx-MC4xx, MC6xx, MC701)."""

from __future__ import annotations

from migcheck.codes.rule import Code, Rule, Stage

RULES: tuple[Rule, ...] = (
    Rule(
        Code.MC101,
        "error",
        Stage.WALK,
        "upgrade failed",
        "The upgrade raised an error on a database at its parent revision. "
        "Fix the migration; the database's message says what it refused.",
        "",
        "upgrade",
    ),
    Rule(
        Code.MC102,
        "error",
        Stage.WALK,
        "downgrade failed",
        "The downgrade raised an error (NotImplementedError included) right after "
        "the upgrade. Write a downgrade that undoes upgrade() in reverse order.",
        "Undo each operation of upgrade() in reverse order in downgrade(); a revision that "
        "cannot be undone raises NotImplementedError and is accepted with "
        "# migcheck: ignore MC102 -- the reason.",
        "downgrade",
    ),
    Rule(
        Code.MC103,
        "error",
        Stage.WALK,
        "second upgrade failed",
        "After upgrade and downgrade, upgrading again failed: the downgrade left "
        "something behind that the upgrade creates (an enum type, an index, a sequence).",
        "Drop in downgrade() what upgrade() creates besides tables: "
        "sa.Enum(name=...).drop(op.get_bind()) for an enum type, op.drop_index for an "
        "index, op.execute('DROP SEQUENCE ...') for a sequence.",
        "upgrade",
    ),
    Rule(
        Code.MC104,
        "error",
        Stage.ACROSS,
        "fails on some PostgreSQL versions only",
        "The same migration fails on the versions named and passes on the others, "
        "usually SQL that only newer releases accept (UNIQUE NULLS NOT DISTINCT needs "
        "15) or that newer releases removed. Support every version you run, or stop "
        "checking the versions your production does not use (--pg).",
        "Write SQL every version you run accepts, or check only the versions production "
        "runs: --pg 15-18.",
    ),
    Rule(
        Code.MC105,
        "error",
        Stage.WALK,
        "upgrade fails on tables with rows",
        "The upgrade failed on tables holding rows (migcheck's generated rows, or the "
        "project's) and passes on empty ones: production tables are not empty. The "
        "database's message names the table, and usually the value, it refused.",
        "Make the upgrade work on existing rows: give a new NOT NULL column a server "
        "default, or add it nullable, fill it, then set NOT NULL; clean duplicates before "
        "a unique index; convert values that do not cast in USING; add a foreign key or "
        "CHECK as NOT VALID, fix the rows, then VALIDATE CONSTRAINT.",
        "upgrade",
    ),
    Rule(
        Code.MC201,
        "error",
        Stage.WALK,
        "downgrade did not restore the schema",
        "The schema after the downgrade differs from the schema before the upgrade. "
        "Each line is what the downgrade failed to undo.",
        "Undo each line in downgrade(): drop what a + line names, re-create what a - line "
        "names, set back the attribute a ~ line changes.",
        "downgrade",
    ),
    Rule(
        Code.MC202,
        "error",
        Stage.WALK,
        "second upgrade built a different schema",
        "Upgrading again after a downgrade built a schema different from the first "
        "upgrade's: usually leftovers of the downgrade that the upgrade tolerates.",
        "Drop in downgrade() everything upgrade() creates, and let upgrade() create its "
        "objects without IF NOT EXISTS, which hides what a downgrade left behind.",
        "upgrade",
    ),
    Rule(
        Code.MC203,
        "error",
        Stage.WALK,
        "schema not empty after downgrading to base",
        "Downgrading the whole history in one go did not bring the schema back to "
        "where it started.",
        "",
        "downgrade",
    ),
    Rule(
        Code.MC204,
        "warning",
        Stage.WALK,
        "column order changed",
        "The downgrade re-created a column at the end of its table: same column, "
        "different position. Harmless for code that names its columns.",
        "Accept it (# migcheck: ignore MC204 -- the reason) unless code reads columns by "
        "position (SELECT *, COPY without a column list); then re-create the table in "
        "downgrade() instead of adding the column back.",
        "downgrade",
    ),
    Rule(
        Code.MC301,
        "error",
        Stage.MODELS,
        "models differ from the migrations",
        "At head, the schema the migrations build differs from the SQLAlchemy models "
        "(the target_metadata env.py passes to context.configure). Write the missing "
        "migration (alembic revision --autogenerate, then review it), or change the "
        "models to match what the migrations build.",
        'alembic revision --autogenerate -m "..." writes most of the missing migration '
        "(review it: defaults, enum labels and CHECK bodies it does not see); or change "
        "the models to match.",
    ),
    Rule(
        Code.MC302,
        "error",
        Stage.ACROSS,
        "schema differs across PostgreSQL versions",
        "At head, the schema built on this version differs from the one built on the "
        "lowest version walked, after evening out what versions only print differently. "
        "Usually a migration that branches on the server version, or an expression "
        "whose type changed between releases (EXTRACT gives numeric since 14): make "
        "the migration build the same schema everywhere, or cast to pin the type.",
        "Build the same schema on every version: no branch on the server version, and a "
        "cast where a type changed between releases (EXTRACT(...)::double precision).",
    ),
    Rule(
        Code.MC303,
        "error",
        Stage.DIFF,
        "live database differs from the migrations",
        "A live database's schema differs from the schema its migrations build (at head, "
        "or at the revisions its alembic_version table records). Lines with + are only "
        "in the database, lines with - only in the migrations: a change made by hand, a "
        "migration edited after it ran, or a revision not run.",
        "Write a migration for a change made by hand that should stay, or undo it in the "
        "database; run the revisions not run (alembic upgrade head).",
    ),
    Rule(
        Code.MC401,
        "error",
        Stage.GRAPH,
        "more than one head",
        "Two or more revisions have no child: alembic upgrade head refuses such a "
        'history. Merge them with alembic merge heads -m "merge".',
        'alembic merge heads -m "merge"',
    ),
    Rule(
        Code.MC402,
        "error",
        Stage.GRAPH,
        "reference to a missing revision",
        "A down_revision or depends_on names a revision that no file declares: a "
        "deleted or renamed revision file, or a typo. Restore the file or fix the id.",
        "Restore the revision file, or correct the id in down_revision or depends_on "
        "(alembic history lists the ids there are).",
    ),
    Rule(
        Code.MC403,
        "error",
        Stage.GRAPH,
        "duplicate revision id",
        "Two revision files declare the same revision id, often a copied file. Give "
        "one of them a new id.",
        "Give the copied file a new revision id (any unused hex string) and point the "
        "down_revision of its children at it.",
    ),
    Rule(
        Code.MC404,
        "error",
        Stage.GRAPH,
        "cycle in the revision graph",
        "The revisions named reach themselves through down_revision or depends_on. "
        "Point one of them at an older revision.",
        "Point the down_revision or depends_on of one revision of the cycle at an older revision.",
    ),
    Rule(
        Code.MC405,
        "warning",
        Stage.GRAPH,
        "empty migration",
        "upgrade() does nothing (only pass, a docstring or ...): an autogenerate run "
        "that found no change. Delete the revision, or write what it was meant to do.",
        "Delete the revision file, or write its upgrade().",
        "upgrade",
    ),
    Rule(
        Code.MC406,
        "warning",
        Stage.GRAPH,
        "upgrade changes the schema, downgrade is empty",
        "Read from the file, without running it: upgrade() calls an op.* operation "
        "that changes the schema or executes literal DDL, and downgrade() does "
        "nothing. Undo the upgrade in reverse order, or raise NotImplementedError "
        "if it cannot be undone. The walk proves it (MC201).",
        "Undo each operation of upgrade() in reverse order in downgrade(), or raise "
        "NotImplementedError there if it cannot be undone.",
        "downgrade",
    ),
    Rule(
        Code.MC601,
        "error",
        Stage.WALK,
        "downgrade did not restore the rows",
        "The rows of a table that existed before the upgrade differ after the downgrade: "
        "rows missing, rows added, or values lost or changed. A schema diff does not show "
        "it (a column dropped and added back empty looks restored). Tables the upgrade "
        "created are not compared: their rows go with them on purpose.",
        "Move the data back in downgrade() before dropping what holds it (an UPDATE from "
        "the new column or table), delete the rows upgrade() inserted, or raise "
        "NotImplementedError in downgrade() when the data cannot be brought back.",
        "downgrade",
    ),
    Rule(
        Code.MC602,
        "error",
        Stage.WALK,
        "second upgrade left different rows",
        "Upgrading again after the downgrade ended with other rows than the first upgrade "
        "did: a data migration that is not repeatable (it inserts again, or works from "
        "what the downgrade left).",
        "Undo the data migration in downgrade() (delete what it inserted, put back what "
        "it changed), or make it idempotent (INSERT ... ON CONFLICT DO NOTHING, UPDATE "
        "... WHERE it is not done yet).",
        "upgrade",
    ),
    Rule(
        Code.MC701,
        "error",
        Stage.DEPLOY,
        "breaks the release running in production",
        "A statement the release at --deploy-from issues (its models' INSERT, SELECT, "
        "UPDATE or DELETE, compiled by its SQLAlchemy) fails on the schema this revision "
        "leaves: during a rolling deploy, and after a rollback of the code, that release "
        "runs against the new schema and fails the same way.",
        "Expand, then contract: make the change compatible with the running release now "
        "(add the column nullable or with a server default, add the new column beside the "
        "old one and keep both filled), and remove what the old release needs in a later "
        "release, once no running code uses it.",
        "upgrade",
    ),
)
