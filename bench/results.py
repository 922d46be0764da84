"""Writing benchmark figures into docs/benchmarks.md, each benchmark in its own marked section."""

import datetime as dt
import os
import platform
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = "# Benchmarks\n\nFigures written by the commands in `bench/`; each section says how to rerun it.\n"


def machine(connection=None) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    db = ""
    if connection is not None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SHOW server_version")
                db = f"; PostgreSQL {cur.fetchone()[0]}"
        else:
            import sqlite3

            db = f"; SQLite {sqlite3.sqlite_version}"
    return f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, Python {platform.python_version()}{db}"


def write_section(title: str, machine_line: str, lines: list[str], command: str):
    text = DOC.read_text() if DOC.exists() else HEADER
    body = "\n".join(
        [
            f"<!-- bench:{title} -->",
            f"## {title}",
            "",
            f"Run `{command}` on {dt.date.today():%-d %B %Y}. Machine: {machine_line}.",
            "",
            *lines,
            f"<!-- /bench:{title} -->",
        ]
    )
    pattern = re.compile(rf"<!-- bench:{re.escape(title)} -->.*?<!-- /bench:{re.escape(title)} -->", re.S)
    text = pattern.sub(lambda _: body, text) if pattern.search(text) else text.rstrip() + "\n\n" + body + "\n"
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)
