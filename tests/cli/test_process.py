"""The command line as a process: files that are not files, closed pipes, bytes that are
not UTF-8. Each case runs ``python -m formkit`` for real: the faults are the process's
(a FIFO that blocks, /dev/zero that never ends, a reader that went away)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MakeCatalog

MATTER = """\
code: "XX-T-0001"
name: {zh: 测试事项}
department: market_supervision
kind: public_service
time_limit: {statutory_days: 5, committed_days: 1}
"""
ROOT = Path(__file__).resolve().parents[2]


def formkit(*args: str | bytes, stdout: int | None = subprocess.PIPE,
            timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m formkit ARGS`` (bytes pass as they are: not UTF-8 on purpose)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUTF8="0", LC_ALL="C.UTF-8")
    return subprocess.run([sys.executable, "-m", "formkit", *args], stdout=stdout,
                          stderr=subprocess.PIPE, env=env, timeout=timeout, check=False)


def error_of(run: subprocess.CompletedProcess[bytes]) -> dict[str, object]:
    """The one error object of a ``--json`` run, from output that must be UTF-8."""
    out = run.stdout.decode("utf-8")  # strict: a raw 0xFF fails here
    assert out.count("\n") == 1 and b"Traceback" not in run.stderr, run.stderr
    doc = json.loads(out)
    assert list(doc) == ["error"]
    error: dict[str, object] = doc["error"]
    return error


@pytest.fixture
def site(make_catalog: MakeCatalog, tmp_path: Path) -> Path:
    folder = make_catalog(MATTER)
    (tmp_path / "fifo").parent.mkdir(exist_ok=True)
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "ok.json").write_text('{"fields": {}, "materials": []}', encoding="utf-8")
    return folder


@pytest.mark.parametrize(("command", "file", "message"), [
    # a FIFO nobody writes to: refused before it is opened (it blocked for ever)
    ("eval", "FIFO", "is a named pipe (FIFO), not a regular file"),
    ("precheck", "FIFO", "is a named pipe (FIFO), not a regular file"),
    # devices that never end: the size said 0 and the read had no bound
    ("eval", "/dev/zero", "is a device, not a regular file"),
    ("eval", "/dev/urandom", "is a device, not a regular file"),
    ("precheck", "/dev/zero", "is a device, not a regular file"),
    # a folder
    ("eval", "DIR", "is a folder, not a regular file"),
])
def test_data_that_is_not_a_regular_file(site: Path, tmp_path: Path, command: str, file: str,
                                         message: str) -> None:
    path = {"FIFO": str(tmp_path / "fifo"), "DIR": str(tmp_path)}.get(file, file)
    args = ["eval", "1"] if command == "eval" else [
        "precheck", "XX-T-0001", "--catalog", str(site)]
    run = formkit(*args, "--data", path, "--json", timeout=30)
    error = error_of(run)
    assert run.returncode == 1
    assert (error["kind"], error["code"], error["file"]) == ("io", "not-a-file", path)
    assert str(error["message"]).endswith(message)


@pytest.mark.parametrize("kind", [
    # a matter file that is a FIFO (it blocked validate)
    "fifo",
    # a matter file that is a link to /dev/zero (its size said 0; the read never ended)
    "zero",
])
def test_a_catalog_file_that_is_not_a_regular_file(site: Path, kind: str) -> None:
    path = site / "market_supervision" / "bad.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    run = formkit("validate", str(site), "--json", timeout=30)
    doc = json.loads(run.stdout.decode("utf-8"))
    assert run.returncode == 1 and doc["matters"] == 2  # the other matter is still read
    assert [(e["code"], e["file"]) for e in doc["errors"]] == [("not-a-file", str(path))]


@pytest.mark.parametrize("args", [
    # every command whose reader goes away: a quiet end with SIGPIPE's status, not
    # "internal error: BrokenPipeError" (nor "Exception ignored" at exit)
    ["validate", "SITE"],
    ["validate", "SITE", "--json"],
    ["eval", "1 + 1", "--json"],
    ["eval", "1 + 1"],
    ["schema", "XX-T-0001", "--catalog", "SITE"],
    ["precheck", "XX-T-0001", "--catalog", "SITE", "--data", "OK", "--json"],
    ["cases", "overdue", "--store", "STORE", "--catalog", "SITE", "--json"],
])
def test_a_closed_pipe_ends_the_command_quietly(site: Path, tmp_path: Path,
                                                args: list[str]) -> None:
    words = [{"SITE": str(site), "OK": str(tmp_path / "ok.json"),
              "STORE": str(tmp_path / "store")}.get(a, a) for a in args]
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte is written
    try:
        run = formkit(*words, stdout=write)
    finally:
        os.close(write)
    assert (run.returncode, run.stderr) == (141, b"")


def test_a_pipe_closed_half_way(site: Path, make_catalog: MakeCatalog) -> None:
    # `formkit validate | head -1` on a long report: the reader leaves mid-output
    many = make_catalog(MATTER + "".join(f"k{i:05d}: 1\n" for i in range(3000)))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with subprocess.Popen([sys.executable, "-m", "formkit", "validate", str(many)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        status = proc.wait(timeout=60)
    assert b"unknown key" in first
    assert (status, err) == (141, b"")


@pytest.mark.parametrize(("args", "code", "shown"), [
    # a byte that is not UTF-8 in the expression: refused, and said as a byte
    ([b"eval", b"\xff", b"--json"], "bad-text", "byte 0xff"),
    # in a matter code: echoed in the message, escaped as JSON allows
    ([b"precheck", b"X\xffX", b"--catalog", b"SITE", b"--data", b"OK", b"--json"],
     "unknown-matter", "X\udcffX"),
    # in a folder name
    ([b"eval", b"1", b"--data", b"/nonexistent/\xff.json", b"--json"], "io", "\udcff"),
])
def test_json_output_is_utf8_whatever_the_arguments(site: Path, tmp_path: Path,
                                                    args: list[bytes], code: str,
                                                    shown: str) -> None:
    words = [{b"SITE": os.fsencode(site), b"OK": os.fsencode(tmp_path / "ok.json")}
             .get(a, a) for a in args]
    run = formkit(*words)
    assert b"\xff" not in run.stdout
    error = error_of(run)
    assert run.returncode == 1 and error["code"] == code and shown in str(error["message"])


def test_human_output_of_a_byte_that_is_not_utf8(site: Path) -> None:
    # a text value holding the byte is printed as \udcff, not a UnicodeEncodeError
    run = formkit("validate", os.fsdecode(b"/nonexistent-\xff"))
    assert run.returncode == 1 and b"Traceback" not in run.stderr
    run = formkit("eval", "1", "--data", os.fsdecode(b"/nonexistent-\xff"))
    assert run.returncode == 1 and b"internal error" not in run.stderr


@pytest.mark.parametrize(("raw", "code"), [
    # a lone surrogate in the data: it came back as UnicodeEncodeError
    (b'{"fields": {}, "materials": ["\\ud800"]}', "bad-text"),
    # an integer of 5,000 digits in the fields
    (b'{"fields": {"n": ' + b"7" * 5000 + b"}, \"materials\": []}", "big-number"),
])
def test_precheck_data_that_cannot_be_read(site: Path, tmp_path: Path, raw: bytes,
                                           code: str) -> None:
    path = tmp_path / "data.json"
    path.write_bytes(raw)
    run = formkit("precheck", "XX-T-0001", "--catalog", str(site), "--data", str(path),
                  "--json")
    error = error_of(run)
    assert run.returncode == 1 and error["code"] == code and error["line"] == 1


def test_precheck_data_with_a_byte_order_mark(site: Path, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"fields": {}, "materials": []}')
    run = formkit("precheck", "XX-T-0001", "--catalog", str(site), "--data", str(path),
                  "--today", "2026-11-25", "--json")
    assert run.returncode == 0, run.stdout
    assert json.loads(run.stdout)["committed_deadline"] == "2026-11-26"


@pytest.mark.parametrize(("today", "status", "code"), [
    # deadlines past 9999-12-31: a limit error, not "internal error: OverflowError"
    ("9999-12-31", 1, "date-range"),
    ("9999-12-28", 1, "date-range"),  # the committed day fits, the statutory one does not
    # the last day whose deadlines fit
    ("9999-12-20", 0, None),
])
def test_precheck_on_the_last_days(site: Path, tmp_path: Path, today: str, status: int,
                                   code: str | None) -> None:
    run = formkit("precheck", "XX-T-0001", "--catalog", str(site), "--data",
                  str(tmp_path / "ok.json"), "--today", today, "--json")
    assert run.returncode == status
    if code is not None:
        error = error_of(run)
        assert (error["kind"], error["code"]) == ("limit", code)


@pytest.mark.parametrize(("value", "message"), [
    # a negative number of days: the pydantic ValidationError reached the user
    ("-5", "argument --red-after: -5 is not a number of days from 0 to 3650"),
    ("x", "argument --red-after: 'x' is not a whole number of days"),
    ("99999", "argument --red-after: 99999 is not a number of days from 0 to 3650"),
])
def test_red_after_must_be_days(site: Path, tmp_path: Path, value: str, message: str) -> None:
    run = formkit("cases", "overdue", "--store", str(tmp_path / "store"), "--catalog",
                  str(site), "--red-after", value, "--json")
    assert (run.returncode, run.stdout) == (2, b"")
    assert message in run.stderr.decode("utf-8")
