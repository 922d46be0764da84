"""What the browser tests share: launching Debian's chromium, running axe-core, and letting the test
database be flushed on SQLite despite the audit table's append-only triggers."""

import importlib
import os
from contextlib import contextmanager

from axe_playwright_python.sync_playwright import Axe
from django.db import connection

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")

_axe = Axe()


@contextmanager
def async_unsafe_allowed():
    """Playwright's sync API keeps an event loop alive in the test thread, so Django's ORM would raise
    SynchronousOnlyOperation for every query the test itself makes. This is the documented workaround;
    it is scoped to the browser's lifetime so other test modules keep Django's guard."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = "; ".join(" > ".join(map(str, node["target"])) for node in v["nodes"])
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}\n    targets: {targets}")
    return "\n".join(lines)


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now and return every violation.

    axe_playwright_python injects axe with page.evaluate, which goes through the DevTools protocol and is
    not subject to the page's Content-Security-Policy (script-src 'self' 'nonce-...'), so the pages are
    tested under their real CSP and no bypass_csp context is needed.
    """
    response = _axe.run(page).response
    assert response.get("testEngine", {}).get("name") == "axe-core", "axe-core did not run on the page"
    return response["violations"]


def assert_accessible(page, where: str) -> list[dict]:
    """Fail on serious or critical axe violations; return the lesser ones for the caller to look at."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe found serious or critical violations on {where} ({page.url}):\n" + (
        format_violations(blocking)
    )
    return violations


# The audit table is append-only: migration audit 0002 adds triggers that refuse UPDATE and DELETE.
# Tests that use live_server need transactional database access, and at the end of each such test Django
# empties every table. PostgreSQL does that with TRUNCATE, which the row triggers do not see; SQLite does it
# with DELETE FROM, which its triggers refuse, so the flush (and the test) would error. On SQLite only, the
# triggers are lifted just before the flush and put back before the next browser test starts.
_triggers = importlib.import_module("onroll.audit.migrations.0002_append_only_triggers")
_SQLITE_TRIGGER_NAMES = ("audit_no_update", "audit_no_delete")


def _sqlite_triggers_present(cursor) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'")
    return {row[0] for row in cursor.fetchall()}


def lift_audit_triggers_for_flush():
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        present = _sqlite_triggers_present(cursor)
        for name in _SQLITE_TRIGGER_NAMES:
            if name in present:
                cursor.execute(f"DROP TRIGGER {name}")


def restore_audit_triggers():
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if _sqlite_triggers_present(cursor) >= set(_SQLITE_TRIGGER_NAMES):
            return
        for name in _SQLITE_TRIGGER_NAMES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for sql in _triggers.SQLITE:
            cursor.execute(sql)
