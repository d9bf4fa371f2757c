"""docs/scaling.md's table of where each table goes on a Citus cluster distributed by team, held
against the schema the migrations make on PostgreSQL.

The doc says, table by table: its placement (reference: copied whole to every node; distributed:
sharded by team_id; coordinator: kept on the coordinator alone; workstation: the local copy's
own bookkeeping, unused on a central), how a distributed row reaches its team through declared
foreign keys, and what must change before it can be distributed. Each check below fails when the
schema and the table disagree, so a new table, key or foreign key that breaks the rules cannot
come in without the doc saying what it costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from app.database import Database
from app.services.sync import engine as sync

DOC = Path(__file__).resolve().parents[2] / "docs" / "scaling.md"
PLACEMENTS = frozenset({"reference", "distributed", "coordinator", "workstation"})
TEAM = "team_id"
NO_PATH = "none"
# The changes a row of the table may name (separated by "; ").
FLAGS = frozenset({"add team_id", "team_id not null", "no path", "nullable path"})
LISTS = ("unique", "fk", "declare fk")


@dataclass(frozen=True)
class Placement:
    table: str
    placement: str
    # (first column, ("table.column", ...)): this table's column, then each table reached and
    # the column followed on it; None: no path.
    path: tuple[str, tuple[str, ...]] | None
    flags: frozenset[str]
    # "unique" -> constraint and index names, "fk" / "declare fk" -> this table's columns
    lists: dict[str, frozenset[str]]


@dataclass(frozen=True)
class Catalogue:
    # table -> column -> nullable
    columns: dict[str, dict[str, bool]]
    # (table, columns, referenced table)
    foreign_keys: tuple[tuple[str, tuple[str, ...], str], ...]
    # table -> (name, columns) of its primary key, unique constraints and unique indexes
    uniques: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]


def placements() -> dict[str, Placement]:
    """The doc's table, between its placement:start and placement:end markers."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- placement:start -->")[1].split("<!-- placement:end -->")[0]
    lines = [line.strip() for line in block.strip().splitlines()][2:]
    found: dict[str, Placement] = {}
    for line in lines:
        table, placement, path, changes = (
            cell.strip().replace("`", "") for cell in line.strip("|").split("|")
        )
        assert table not in found, f"{table} is in the table twice"
        hops = [hop.strip() for hop in path.split("→")]
        parts = [part.strip() for part in changes.split(";") if part.strip() not in ("", "—")]
        lists = {
            name: frozenset(
                item.strip()
                for part in parts
                if part.startswith(f"{name}:")
                for item in part.split(":", 1)[1].split(",")
            )
            for name in LISTS
        }
        flags = frozenset(part for part in parts if ":" not in part)
        assert flags <= FLAGS, f"{table}: unknown changes {flags - FLAGS}"
        found[table] = Placement(
            table,
            placement,
            None if path in (NO_PATH, "—") else (hops[0], tuple(hops[1:])),
            flags,
            lists,
        )
    return found


def catalogue(db: Database) -> Catalogue:
    with db.engine.connect() as connection:
        columns: dict[str, dict[str, bool]] = {}
        for table, column, nullable in connection.exec_driver_sql(
            "SELECT c.relname, a.attname, NOT a.attnotnull FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a"
            " ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            " WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ):
            columns.setdefault(table, {})[column] = nullable
        foreign_keys = tuple(
            (table, tuple(names), referenced)
            for table, names, referenced in connection.exec_driver_sql(
                "SELECT conrelid::regclass::text, array(SELECT attname FROM unnest(conkey) k"
                " JOIN pg_attribute ON attrelid = conrelid AND attnum = k ORDER BY attname),"
                " confrelid::regclass::text FROM pg_constraint"
                " WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
            )
        )
        uniques: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for table, name, names in connection.exec_driver_sql(
            "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,"
            " array(SELECT attname FROM unnest(i.indkey) k JOIN pg_attribute"
            " ON attrelid = i.indrelid AND attnum = k) FROM pg_index i JOIN pg_class c"
            " ON c.oid = i.indrelid WHERE i.indisunique"
            " AND c.relnamespace = 'public'::regnamespace"
        ):
            uniques.setdefault(table, []).append((name, tuple(names)))
    return Catalogue(
        columns, foreign_keys, {table: tuple(found) for table, found in uniques.items()}
    )


def references(schema: Catalogue, table: str, column: str) -> set[str]:
    """The tables `table.column` alone is a declared foreign key to."""
    return {
        referenced
        for source, names, referenced in schema.foreign_keys
        if source == table and names == (column,)
    }


def what_must_change(
    schema: Catalogue, doc: dict[str, Placement], row: Placement
) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """What the schema says a distributed table needs before Citus takes it: its flags and its
    lists, to be compared with the doc's."""
    columns = schema.columns[row.table]
    flags: set[str] = set()
    declare: set[str] = set()
    if TEAM not in columns:
        flags.add("add team_id")
    elif columns[TEAM]:
        flags.add("team_id not null")
    if row.path is None:
        flags.add("no path")
    else:
        table, column = row.table, row.path[0]
        nullable = False
        for hop in row.path[1]:
            target, next_column = hop.split(".")
            nullable = nullable or schema.columns[table][column]
            if target not in references(schema, table, column):
                declare.add(f"{column}" if table == row.table else f"{table}.{column}")
            table, column = target, next_column
        # The end of the path: a distributed table's own team_id is its own row's business; a
        # reference table's (users: administrators have none) makes the path nullable.
        if row.path[1] and doc[table].placement == "reference":
            nullable = nullable or schema.columns[table][column]
        if nullable:
            flags.add("nullable path")
    unique = {name for name, names in schema.uniques.get(row.table, ()) if TEAM not in names}
    crossing = {
        "+".join(names)
        for source, names, referenced in schema.foreign_keys
        if source == row.table and doc[referenced].placement == "distributed" and TEAM not in names
    }
    return frozenset(flags), {
        "unique": frozenset(unique),
        "fk": frozenset(crossing),
        "declare fk": frozenset(declare),
    }


@pytest.fixture
def schema(pg_db: Database) -> Catalogue:
    return catalogue(pg_db)


def test_every_table_of_the_schema_has_one_placement(schema: Catalogue) -> None:
    doc = placements()
    assert set(doc) == set(schema.columns)
    assert {row.placement for row in doc.values()} <= PLACEMENTS


def test_distributed_tables_reach_their_team_by_the_path_the_doc_gives(
    schema: Catalogue,
) -> None:
    doc = placements()
    for row in doc.values():
        if row.placement != "distributed" or row.path is None:
            continue
        table, column = row.table, row.path[0]
        assert column in schema.columns[table], f"{table} has no column {column}"
        for hop in row.path[1]:
            target, column = hop.split(".")
            assert target in doc, f"{row.table}: {target} is not a table"
            assert column in schema.columns[target], f"{row.table}: no {hop}"
            table = target
        assert column == TEAM, f"{row.table}'s path ends at {table}.{column}, not a team"
        assert doc[table].placement in ("distributed", "reference"), row.table


def test_what_must_change_before_distributing_is_what_the_doc_says(schema: Catalogue) -> None:
    doc = placements()
    for row in doc.values():
        if row.placement != "distributed":
            assert not row.flags and not any(row.lists.values()), row.table
            continue
        flags, lists = what_must_change(schema, doc, row)
        assert row.flags == flags, row.table
        for name in LISTS:
            assert row.lists[name] == lists[name], f"{row.table}: {name}"


def test_reference_tables_are_small_lookup_tables(schema: Catalogue) -> None:
    """A reference table points at nothing but other reference tables, holds no account's rows,
    and, when workstations pull it, comes to them whole (the staff directory, the feed list, the
    scorecards): the sync already treats it as a small table everyone has."""
    doc = placements()
    for row in doc.values():
        if row.placement != "reference":
            continue
        for source, names, referenced in schema.foreign_keys:
            if source == row.table:
                assert doc[referenced].placement == "reference", (row.table, names)
        assert not {"loan_id", "borrower_id", "plan_id"} & set(schema.columns[row.table])
        if row.table in sync.BY_NAME:
            assert row.table in (*sync.DIRECTORY, *sync.LEADS_ONLY, *sync.REFERENCE), row.table


def test_no_foreign_key_crosses_shards_except_to_reference_tables(schema: Catalogue) -> None:
    """Between distributed tables a key must carry team_id (the doc lists those that do not yet);
    nothing points into the coordinator's or a workstation's own tables from elsewhere."""
    doc = placements()
    for source, names, referenced in schema.foreign_keys:
        where, to = doc[source].placement, doc[referenced].placement
        if to in ("coordinator", "workstation"):
            assert where == to, (source, names, referenced)
        if where == "distributed" and to == "distributed" and TEAM not in names:
            assert "+".join(names) in doc[source].lists["fk"], (source, names, referenced)


def test_synced_tables_are_distributed_or_reference_and_bookkeeping_is_not_synced() -> None:
    doc = placements()
    for table in sync.TABLES:
        assert doc[table.name].placement in ("distributed", "reference"), table.name
    for row in doc.values():
        if row.placement == "workstation":
            assert row.table not in sync.BY_NAME, row.table
