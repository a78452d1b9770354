"""``formkit db upgrade`` and ``formkit cases migrate``, and ``--store`` taking a
``postgresql://`` URL: a table of command lines, each with its exit status and what it
prints (an error object with its code, never a traceback)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from formkit.cli import main
from tests.cases.conftest import (  # noqa: F401 - the fixtures, for this folder too
    _drop_schemas,
    close_test_pools,
    need_postgres,
    new_pg_url,
    pg_schema_url,
)
from tests.cases.support import Clock, receive_example, service

DAY = dt.date(2026, 11, 25)
NO_SERVER = "postgresql://formkit:formkit@127.0.0.1:1/formkit_test"
BAD_PASSWORD = "postgresql://formkit:not-it@127.0.0.1/formkit_test"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def filled(root: Path) -> list[str]:
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(root, clock)
    return [receive_example(svc, clock, "XX-MS-0001", "without the lease, tolerated",
                            day=DAY).number,
            receive_example(svc, clock, "XX-MS-0002", "restaurant making hot food",
                            day=DAY).number]


# (arguments, with {folder} the filled store, {empty} a fresh schema, {url} a migrated
# one; the exit status; the error code (None: it worked); what the output holds)
Case = tuple[list[str], int, str | None, Callable[[Any], bool]]
CASES: dict[str, Case] = {
    "upgrade a fresh schema": (["db", "upgrade", "--store", "{empty}", "--json"], 0, None,
                               lambda d: d == {"applied": ["0001_initial.sql",
                                                         "0002_audit_lanes.sql"]}),
    "upgrade again": (["db", "upgrade", "--store", "{url}", "--json"], 0, None,
                      lambda d: d == {"applied": []}),
    "upgrade a folder": (["db", "upgrade", "--store", "{folder}", "--json"], 1,
                         "bad-store-url", lambda d: True),
    "upgrade, no server": (["db", "upgrade", "--store", NO_SERVER, "--json"], 1,
                           "no-server", lambda d: True),
    "upgrade, wrong password": (["db", "upgrade", "--store", BAD_PASSWORD, "--json"], 1,
                                "auth-failed", lambda d: "not-it" not in json.dumps(d)),
    "show from an old schema": (["cases", "show", "FK2026112500001", "--store", "{empty}",
                                 "--json"], 1, "schema-old",
                                lambda d: "formkit db upgrade" in d["error"]["hint"]),
    "bad URL": (["cases", "overdue", "--store", "postgresql://x:y@127.0.0.1:port/db",
                 "--json"], 1, "bad-store-url", lambda d: True),
    "migrate": (["cases", "migrate", "--from", "{folder}", "--to", "{empty}", "--json"], 0,
                None, lambda d: (d["cases"], d["open_cases"], d["copied"]) == (2, 2, True)),
    "migrate into a non-empty store": (["cases", "migrate", "--from", "{folder}", "--to",
                                        "{busy}", "--json"], 1, "target-not-empty",
                                       lambda d: True),
    "migrate from no store": (["cases", "migrate", "--from", "{folder}/nothing", "--to",
                               "{empty}", "--json"], 1, "no-store", lambda d: True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_commands(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    need_postgres()
    args, status, code, holds = CASES[name]
    folder = tmp_path / "store"
    filled(folder)
    places = {"{folder}": str(folder), "{empty}": pg_schema_url(), "{url}": new_pg_url()}
    if any("{busy}" in a for a in args):
        places["{busy}"] = new_pg_url()
        assert main(["cases", "receive", "XX-MS-0001", "--store", places["{busy}"], "--data",
                     str(_data(tmp_path)), "--today", "2026-11-25", "--json"]) == 0
        capsys.readouterr()
    for key, value in places.items():
        args = [a.replace(key, value) for a in args]
    got, out, err = run(capsys, *args)
    assert got == status, (out, err)
    doc = json.loads(out)
    if code is None:
        assert "error" not in doc
    else:
        assert doc["error"]["code"] == code, doc
    assert holds(doc), doc


def _data(tmp_path: Path) -> Path:
    from tests.cases.support import example

    ex = example("XX-MS-0001", "without the lease, tolerated")
    from formkit.intake.examples import submission_of

    path = tmp_path / "data.json"
    path.write_text(json.dumps(submission_of(ex), ensure_ascii=False, default=str), "utf-8")
    return path


def test_every_case_command_works_on_postgresql(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The same operator commands over a migrated store as over its folder."""
    need_postgres()
    folder = tmp_path / "store"
    numbers = filled(folder)
    url = pg_schema_url()
    assert run(capsys, "cases", "migrate", "--from", str(folder), "--to", url)[0] == 0
    for args in (["show", numbers[0]], ["overdue", "--today", "2026-12-03"], ["verify"],
                 ["reindex"]):
        by_folder = run(capsys, "cases", *args, "--store", str(folder), "--json")
        by_url = run(capsys, "cases", *args, "--store", url, "--json")
        assert by_folder[0] == by_url[0] == 0, (args, by_url)
        a, b = json.loads(by_folder[1]), json.loads(by_url[1])
        if args[0] == "reindex":
            assert (a["cases"], a["open_cases"]) == (b["cases"], b["open_cases"])
        elif args[0] == "verify":
            assert (a["ok"], a["entries"], a["head"]) == (b["ok"], b["entries"], b["head"])
        else:
            assert a == b, args
    code, out, _ = run(capsys, "cases", "export", "--store", url)
    assert code == 0 and out == run(capsys, "cases", "export", "--store", str(folder))[1]
    code, out, _ = run(capsys, "db", "upgrade", "--store", url)
    assert code == 0 and "nothing to apply" in out
