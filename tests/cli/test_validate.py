"""``formkit validate``: the JSON document, exit codes and human output of cli.md."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from formkit.cli import main
from formkit.definitions import loader
from tests.conftest import MakeCatalog

BASE = """\
code: "XX-T-0001"
name: {zh: 测试事项}
department: market_supervision
kind: public_service
time_limit: {statutory_days: 5, committed_days: 1}
"""
KINDS = {"syntax", "name", "type", "evaluation", "limit", "definition", "io"}


def _validate_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["validate", *args, "--json"])
    out, err = capsys.readouterr()
    doc = json.loads(out)  # exactly one JSON document, nothing else on stdout
    assert out.endswith("\n") and out.count("\n") == 1
    assert "Traceback" not in err
    return code, doc, err


def _check_error_object(obj: dict[str, Any]) -> None:
    assert set(obj) <= {"kind", "message", "code", "file", "line", "column", "hint"}
    assert obj["kind"] in KINDS and isinstance(obj["message"], str) and obj["message"]
    assert re.fullmatch(r"[a-z][a-z0-9-]*", obj["code"])
    for key in ("line", "column"):
        if key in obj:
            assert isinstance(obj[key], int) and obj[key] >= 1
    if "column" in obj:
        assert "line" in obj and "file" in obj


def test_a_clean_catalog(make_catalog: MakeCatalog, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_catalog(BASE, BASE.replace("XX-T-0001", "XX-T-0002"))
    code, doc, _ = _validate_json(capsys, str(folder))
    assert code == 0
    assert doc == {"ok": True, "matters": 2, "errors": []}
    assert list(doc) == ["ok", "matters", "errors"]


def test_errors_are_contract_objects_with_the_path_as_given(
        make_catalog: MakeCatalog, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_catalog(BASE + "checks:\n  - when: floor_are > 1\n    warn: {zh: 请核实}\n",
                          BASE.replace("XX-T-0001", "XX-T-0002") + "fo: 1\n")
    monkeypatch.chdir(folder.parent)
    code, doc, _ = _validate_json(capsys, "definitions")
    assert code == 1
    assert list(doc) == ["ok", "matters", "errors"]
    assert doc["ok"] is False and doc["matters"] == 2
    for obj in doc["errors"]:
        _check_error_object(obj)
    # Sorted file by file; the file is named the way the user named the folder.
    assert [(e["kind"], e["file"], e["line"], e["column"]) for e in doc["errors"]] == [
        ("name", "definitions/market_supervision/matter1.yaml", 7, 11),
        ("definition", "definitions/market_supervision/matter2.yaml", 6, 1),
    ]
    assert doc["errors"][1] == {
        "kind": "definition", "message": "unknown key 'fo'", "code": "unknown-key",
        "file": "definitions/market_supervision/matter2.yaml", "line": 6, "column": 1,
        "hint": "did you mean 'form'?"}


def test_every_kind_of_load_error_serialises(make_catalog: MakeCatalog,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_catalog(
        BASE.encode() + b"basis: ['\xff']\n",
        BASE.replace("XX-T-0001", "XX-T-0002") + "basis: &b [*b]\n",
        BASE.replace("XX-T-0001", "XX-T-0003") + "basis: ['" + "x" * 1_000_001 + "']\n",
        "- a list\n")
    code, doc, _ = _validate_json(capsys, str(folder))
    assert code == 1
    for obj in doc["errors"]:
        _check_error_object(obj)
    assert [(e["kind"], e["line"], e["column"]) for e in doc["errors"]] == [
        ("io", 6, 10), ("definition", 6, 8), ("limit", 1, 1), ("definition", 1, 1)]


def test_human_output_shows_place_line_caret_and_hint(
        make_catalog: MakeCatalog, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_catalog(BASE.replace("department: market_supervision",
                                       "department: 市场监管 market_supervison"),
                          BASE.replace("XX-T-0001", "XX-T-0002") + "fo: 1\n")
    assert main(["validate", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    m1 = folder / "market_supervision" / "matter1.yaml"
    m2 = folder / "market_supervision" / "matter2.yaml"
    assert out == (
        f"{m1}:3:13: definition error: unknown department '市场监管 market_supervison'\n"
        "    department: 市场监管 market_supervison\n"
        "                ^\n"
        "    hint: did you mean 'market_supervision'?\n"
        "\n"
        f"{m2}:6:1: definition error: unknown key 'fo'\n"
        "    fo: 1\n"
        "    ^\n"
        "    hint: did you mean 'form'?\n"
        "\n"
        "2 errors\n")


def test_human_output_of_a_clean_catalog(make_catalog: MakeCatalog,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_catalog(BASE)
    assert main(["validate", str(folder)]) == 0
    assert capsys.readouterr().out == f"ok: 1 matters in {folder}, no errors\n"


def test_the_caret_of_an_expression_error_is_inside_the_expression(
        make_catalog: MakeCatalog, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_catalog(BASE + "form:\n  - {id: 经营面积, type: number}\n"
                          "checks:\n  - when: \"经营面积 > '大'\"\n    warn: {zh: 核实}\n")
    assert main(["validate", str(folder)]) == 1
    lines = capsys.readouterr().out.splitlines()
    # (The message's wording belongs to the rule checker.)
    assert lines[0].startswith(f"{folder / 'market_supervision' / 'matter1.yaml'}:9:12: "
                               "type error: ")
    assert lines[1] == "      - when: \"经营面积 > '大'\""
    # The carets run under the whole comparison, each CJK character two columns wide.
    assert lines[2] == " " * len("      - when: \"") + "^" * len("经营面积 > '大'") + "^" * 5


@pytest.mark.parametrize("argv", [
    # An unknown option.
    ["validate", "--bogus"],
    # Two folders.
    ["validate", "a", "b", "--json"],
    # An unknown command.
    ["frobnicate"],
    # No command at all.
    [],
])
def test_a_wrong_command_line_exits_2(argv: list[str],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err and err


def _no_traceback(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, doc, _ = _validate_json(capsys, *args)
    assert code == 1 and doc["ok"] is False and doc["matters"] == 0
    for obj in doc["errors"]:
        _check_error_object(obj)
    assert main(["validate", *args]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "error" in out + err
    result: dict[str, Any] = doc
    return result


def test_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _no_traceback(capsys, str(tmp_path / "nowhere"))
    assert [(e["kind"], e["message"]) for e in doc["errors"]] == [
        ("io", f"{tmp_path / 'nowhere'} does not exist")]


def test_a_file_instead_of_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "catalog.yaml").write_text("name: {zh: x}\n", encoding="utf-8")
    doc = _no_traceback(capsys, str(tmp_path / "catalog.yaml"))
    assert "is a file, not a folder" in doc["errors"][0]["message"]


def test_a_folder_without_catalog_yaml(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    doc = _no_traceback(capsys, str(tmp_path))
    assert [(e["kind"], e["message"]) for e in doc["errors"]] == [
        ("io", f"no catalog.yaml in {tmp_path}")]
    assert "catalog.yaml" in doc["errors"][0]["hint"]


def test_a_folder_that_cannot_be_read(make_catalog: MakeCatalog,
                                      capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_catalog(BASE)
    original = Path.is_file

    def denied(self: Path) -> bool:
        if self.name == "catalog.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "is_file", denied)
    doc = _no_traceback(capsys, str(folder))
    assert doc["errors"][0]["message"] == f"cannot read {folder}: Permission denied"


def test_an_unreadable_catalog_file(make_catalog: MakeCatalog,
                                   capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_catalog(BASE)
    original = os.open

    def denied(path: Any, flags: int, *args: Any) -> int:
        if Path(path).name == "catalog.yaml":  # the OS refuses (root reads any file)
            raise PermissionError(13, "Permission denied", str(path))
        return original(path, flags, *args)

    monkeypatch.setattr(loader.os, "open", denied)
    code, doc, _ = _validate_json(capsys, str(folder))
    assert code == 1
    assert doc["errors"][0] == {"kind": "io", "code": "io",
                                "file": str(folder / "catalog.yaml"),
                                "message": f"cannot read {folder / 'catalog.yaml'}: "
                                           "Permission denied"}


def test_an_unreadable_department_folder_is_reported(make_catalog: MakeCatalog,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_catalog(BASE)
    walk = os.walk

    def walk_with_a_locked_folder(top: str, onerror: Any = None) -> Any:
        locked = folder / "ecology"
        onerror(PermissionError(13, "Permission denied", str(locked)))
        yield from walk(top, onerror=onerror)

    monkeypatch.setattr(loader.os, "walk", walk_with_a_locked_folder)
    code, doc, _ = _validate_json(capsys, str(folder))
    assert code == 1 and doc["matters"] == 1
    assert doc["errors"] == [{"kind": "io", "code": "io", "file": str(folder / "ecology"),
                              "message": f"cannot read folder {folder / 'ecology'}: "
                                         "Permission denied"}]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_a_real_unreadable_folder(make_catalog: MakeCatalog,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_catalog(BASE)
    locked = folder / "market_supervision"
    locked.chmod(0)
    try:
        code, doc, _ = _validate_json(capsys, str(folder))
    finally:
        locked.chmod(0o755)
    assert code == 1 and doc["errors"][0]["kind"] == "io"


def test_an_internal_fault_is_an_error_object_not_a_traceback(
        make_catalog: MakeCatalog, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_catalog(BASE)

    def broken(root: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr("formkit.catalog.open_catalog", broken)
    code, doc, err = _validate_json(capsys, str(folder))
    assert code == 1 and "Traceback" not in err
    assert list(doc) == ["ok", "matters", "errors"] and doc["ok"] is False
    (obj,) = doc["errors"]
    _check_error_object(obj)
    assert obj["message"] == "internal error: RuntimeError: boom"


# ---- many errors: linear, and the list capped ------------------------------------------------

@pytest.mark.parametrize(("keys", "listed"), [
    # 30,000 unknown keys in one mapping: each placed by a lookup, not a scan (this took
    # minutes, one search of the mapping per error); 1,000 listed, then the count
    (30_000, 1000),
    # exactly the bound: all listed, no summary
    (1000, 1000),
])
def test_many_errors_are_fast_and_capped(make_catalog: MakeCatalog,
                                         capsys: pytest.CaptureFixture[str],
                                         keys: int, listed: int) -> None:
    import time

    folder = make_catalog(BASE + "".join(f"k{i:05d}: 1\n" for i in range(keys)))
    start = time.perf_counter()
    code, doc, _ = _validate_json(capsys, str(folder))
    elapsed = time.perf_counter() - start
    assert elapsed < 20, elapsed  # about 1 s here; quadratic was minutes
    assert code == 1 and list(doc) == ["ok", "matters", "errors"] and doc["matters"] == 1
    errors = doc["errors"]
    for obj in errors:
        _check_error_object(obj)
    assert [e["code"] for e in errors[:listed]] == ["unknown-key"] * listed
    assert errors[0]["line"] == 6 and errors[listed - 1]["line"] == 5 + listed
    if keys > listed:
        *_, last = errors
        assert len(errors) == listed + 1
        assert (last["kind"], last["code"]) == ("limit", "too-many-errors")
        assert last["message"].startswith(f"... and {keys - listed} more errors ({keys} ")
    else:
        assert len(errors) == listed
    main(["validate", str(folder)])
    human = capsys.readouterr().out
    assert human.count("unknown key") == listed
    assert (f"... and {keys - listed} more\n" in human) is (keys > listed)
    assert human.endswith(f"\n{keys} errors\n")


@pytest.mark.parametrize(("line", "column", "message"), [
    # an integer of 5,000 digits (Python's int() refuses over 4,300)
    ("time_limit: {statutory_days: 5" + "0" * 5000 + ", committed_days: 1}", 30,
     "5000000000...0000000000"),
    ("fee: " + "1" * 5000, 6, "1111111111"),
    # a float past a double: it was read as inf
    ("fee: 1.0e+400", 6, "1.0e+400"),
    # a hex number of 300 digits
    ("max_visits: 0x" + "f" * 300, 13, "0xffffffff"),
])
def test_a_number_too_large_in_yaml(make_catalog: MakeCatalog,
                                    capsys: pytest.CaptureFixture[str], line: str,
                                    column: int, message: str) -> None:
    text = BASE.replace("time_limit: {statutory_days: 5, committed_days: 1}\n", "") \
        if line.startswith("time_limit") else BASE
    folder = make_catalog(text + line + "\nfo: 1\n",
                          BASE.replace("XX-T-0001", "XX-T-0002") + "bar: 2\n")
    code, doc, _ = _validate_json(capsys, str(folder))
    assert code == 1 and doc["matters"] == 2  # the catalog is still read, file by file
    found = [(e["code"], e["line"], e.get("column")) for e in doc["errors"]]
    row = text.count("\n") + 1
    # the number, once (no "missing key" for the value left out), then the file's other
    # error, then the other file's
    assert found == [("big-number", row, column), ("unknown-key", row + 1, 1),
                     ("unknown-key", 6, 1)]
    assert doc["errors"][0]["kind"] == "limit" and message in doc["errors"][0]["message"]
