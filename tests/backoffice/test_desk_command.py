"""`balie backoffice desk`: a technician sets up the desks of a town hall from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from backoffice_harness import ROOT, backoffice_command
from sqlalchemy import select

from backoffice.db import make_engine, make_session_factory
from backoffice.desk.models import Desk


def test_desks_are_created_per_location_and_mistakes_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    database = str(tmp_path / "balie.db")
    assert (
        backoffice_command(data, "enroll-code", "--location", "Stadhuis Zwolle", "--database", database).returncode == 0
    )

    made = backoffice_command(data, "desk", "--location", "Stadhuis Zwolle", "--name", "3", "--topics", "ba",
                              "--database", database)  # fmt: skip
    every = backoffice_command(data, "desk", "--location", "Stadhuis Zwolle", "--name", "4", "--database", database)
    again = backoffice_command(data, "desk", "--location", "Stadhuis Zwolle", "--name", "3", "--database", database)
    nowhere = backoffice_command(data, "desk", "--location", "Stadhuis Kampen", "--name", "1", "--database", database)
    bad = backoffice_command(data, "desk", "--location", "Stadhuis Zwolle", "--name", "5", "--topics", "A1",
                             "--database", database)  # fmt: skip

    assert (made.returncode, made.stdout.strip()) == (0, "desk 3 at Stadhuis Zwolle (id 1), topics: BA")
    assert (every.returncode, every.stdout.strip()) == (0, "desk 4 at Stadhuis Zwolle (id 2), topics: all")
    assert (again.returncode, again.stderr.strip()) == (
        1,
        "balie backoffice: Stadhuis Zwolle already has a desk 3",
    )
    assert nowhere.returncode == 1
    assert nowhere.stderr.strip() == (
        "balie backoffice: there is no location named 'Stadhuis Kampen'; enroll a device there first"
    )
    assert (bad.returncode, bad.stderr.strip()) == (1, "balie backoffice: topics are letters A to Z, for example AB")
    engine = make_engine(f"sqlite:///{database}", pooled=False)
    try:
        with make_session_factory(engine)() as db:
            assert [(d.name, d.topics) for d in db.scalars(select(Desk).order_by(Desk.id))] == [("3", "BA"), ("4", "")]
    finally:
        engine.dispose()


def test_serve_refuses_a_bad_call_next_rule_before_it_starts(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "backoffice", "serve", "--port", "1"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "BALIE_DATA": str(tmp_path), "BALIE_CALL_NEXT_ORDER": "newest_first"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 1
    assert run.stderr.strip() == (
        "balie backoffice: BALIE_CALL_NEXT_ORDER is oldest_first or by_topic;"
        " BALIE_CALL_NEXT_*_MINUTES are whole numbers"
    )
