"""Each child's matching facts in one row (`matching_profile`), kept in step by database triggers.

A look-up scores a hundred or so candidates, and reading their names, addresses and contacts from four
tables cost one random read per table per candidate. One row per child, written by the database itself
whenever a child, a name, an address or a contact changes (in any way: forms, bulk imports, merges, COPY),
is read in one probe. The row holds the raw values as JSON; folding them into keys stays in Python
(profiles.make_profile), so there is one definition of a key. See decision 0012.
"""

# The child's own columns, in the order profiles.profile_from_facts reads them (then former names,
# addresses and contacts).
CHILD_COLUMNS = (
    "legal_first_name",
    "legal_middle_names",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "date_of_birth",
    "sex",
    "upn",
    "former_upn",
)
# table -> the column naming its child. Changing any of these tables' columns used below needs a migration
# that reinstalls the triggers (and on SQLite, rebuilding a table drops its triggers:
# tests/test_matching_stored_profiles.py checks they are all there after every migration).
WATCHED = {
    "children_child": "id",
    "children_childname": "child_id",
    "children_address": "child_id",
    "children_contact": "child_id",
}

_PG_FACTS = """json_build_array({child},
  coalesce((SELECT json_agg(json_build_array(n.first_name, n.last_name) ORDER BY n.id)
            FROM children_childname n WHERE n.child_id = c.id AND n.kind = 'former'), '[]'),
  coalesce((SELECT json_agg(json_build_array(a.line_1, a.postcode, a.to_date IS NULL))
            FROM children_address a WHERE a.child_id = c.id), '[]'),
  coalesce((SELECT json_agg(json_build_array(t.name, t.phone))
            FROM children_contact t WHERE t.child_id = c.id), '[]'))::text"""

# json() keeps each nested array JSON: SQLite loses that mark when a value comes out of a subquery.
_SQLITE_FACTS = """json_array({child},
  json((SELECT json_group_array(json_array(n.first_name, n.last_name)) FROM
        (SELECT first_name, last_name FROM children_childname
         WHERE child_id = c.id AND kind = 'former' ORDER BY id) n)),
  json((SELECT json_group_array(json_array(a.line_1, a.postcode, a.to_date IS NULL))
        FROM children_address a WHERE a.child_id = c.id)),
  json((SELECT json_group_array(json_array(t.name, t.phone))
        FROM children_contact t WHERE t.child_id = c.id)))"""


def _facts(vendor: str) -> str:
    template = _PG_FACTS if vendor == "postgresql" else _SQLITE_FACTS
    return template.format(child=", ".join(f"c.{col}" for col in CHILD_COLUMNS))


def rebuild_sql(vendor: str) -> list[str]:
    """Every child's row again, from scratch (after installing, or if ever in doubt)."""
    return [
        "DELETE FROM matching_profile",
        f"INSERT INTO matching_profile (child_id, facts) SELECT c.id, {_facts(vendor)} FROM children_child c",
    ]


def install_sql(vendor: str) -> list[str]:
    return _postgresql() if vendor == "postgresql" else _sqlite()


def uninstall_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":  # dropping a trigger's function drops the trigger
        return ["DROP FUNCTION IF EXISTS matching_refresh_profiles(uuid[]) CASCADE"] + [
            f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in trigger_names(vendor)
        ]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in trigger_names(vendor)]


def trigger_names(vendor: str) -> list[str]:
    triggers = _pg_triggers() if vendor == "postgresql" else _sqlite_triggers()
    return [name for name, *_ in triggers]


def _postgresql() -> list[str]:
    statements = [
        f"""CREATE OR REPLACE FUNCTION matching_refresh_profiles(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  -- Lock the children first: a second transaction changing the same child waits here, then reads what
  -- the first committed, so the last row written always holds both changes.
  PERFORM 1 FROM children_child WHERE id = ANY(ids) ORDER BY id FOR UPDATE;
  DELETE FROM matching_profile WHERE child_id = ANY(ids);
  INSERT INTO matching_profile (child_id, facts)
    SELECT c.id, {_facts("postgresql")} FROM children_child c WHERE c.id = ANY(ids);
END $$"""
    ]
    for name, when, ids in _pg_triggers():
        statements.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN PERFORM matching_refresh_profiles({ids}); RETURN NULL; END $$"
        )
        statements.append(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {name}()")
    return statements


def _pg_triggers():
    """(name, when, the ids to refresh). Statement-level with transition tables, so a bulk insert refreshes
    its children in one set-based statement. A child's own row is refreshed only when a column matching
    reads changes; a column list rules out transition tables, so that trigger is per row."""
    for table, key in WATCHED.items():
        name = f"matching_profile_{table.removeprefix('children_')}"
        if table == "children_child":
            columns = ", ".join(CHILD_COLUMNS)
            yield f"{name}_upd", f"AFTER UPDATE OF {columns} ON {table} FOR EACH ROW", "ARRAY[NEW.id]"
        else:
            yield (
                f"{name}_upd",
                f"AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                "FOR EACH STATEMENT",
                f"ARRAY(SELECT {key} FROM old_rows UNION SELECT {key} FROM new_rows)",
            )
        yield (
            f"{name}_ins",
            f"AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
            f"ARRAY(SELECT DISTINCT {key} FROM new_rows)",
        )
        yield (
            f"{name}_del",
            f"AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
            f"ARRAY(SELECT DISTINCT {key} FROM old_rows)",
        )


def _sqlite() -> list[str]:
    return [
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body} END"
        for name, event, table, body in _sqlite_triggers()
    ]


def _sqlite_triggers():
    """(name, event, table, body): row-level (SQLite has no other kind); SQLite has one writer at a time,
    so no locking is needed."""
    refresh = (
        "DELETE FROM matching_profile WHERE child_id = {id}; "
        "INSERT INTO matching_profile (child_id, facts) SELECT c.id, "
        + _facts("sqlite")
        + " FROM children_child c WHERE c.id = {id};"
    )
    for table, key in WATCHED.items():
        name = f"matching_profile_{table.removeprefix('children_')}"
        update = f"UPDATE OF {', '.join(CHILD_COLUMNS)}" if table == "children_child" else "UPDATE"
        yield f"{name}_ins", "INSERT", table, refresh.format(id=f"NEW.{key}")
        both = refresh.format(id=f"OLD.{key}") + " " + refresh.format(id=f"NEW.{key}")
        yield f"{name}_upd", update, table, both
        yield f"{name}_del", "DELETE", table, refresh.format(id=f"OLD.{key}")
