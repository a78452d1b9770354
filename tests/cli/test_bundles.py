"""Bundles (高效办成一件事) on the command line: ``formkit precheck BUNDLE``, ``formkit
cases receive BUNDLE``, and the bundle in ``test``, ``validate`` and ``schema``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from formkit.catalog import open_catalog
from formkit.cli import main
from formkit.intake.examples import submission_of

ROOT = Path(__file__).resolve().parents[2]
CATALOG = str(ROOT / "definitions")
BUNDLE = "XX-B-0001"
FARM = "a farm restaurant with guest rooms misses the floor plan two matters need and " \
    "its business scope"
FAMILY = "a family restaurant in a rented shop, everything handed in, is accepted"


@pytest.fixture(scope="module")
def sample() -> Any:
    return open_catalog(CATALOG)


def data_file(sample: Any, tmp_path: Path, name: str) -> tuple[str, str]:
    """A bundle example of the sample catalog as a --data file, and its day."""
    example = next(e for e in sample.bundles[BUNDLE].tests if e.name == name)
    path = tmp_path / "data.json"
    path.write_text(json.dumps(submission_of(example), ensure_ascii=False), "utf-8")
    return str(path), str(example.today)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def test_precheck_json_names_each_item_once(sample: Any, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    data, day = data_file(sample, tmp_path, FARM)
    code, out, _ = run(capsys, "precheck", BUNDLE, "--data", data, "--today", day,
                       "--catalog", CATALOG, "--json")
    assert code == 0 and out.count("\n") == 1  # incomplete is an answer, not a failure
    doc = json.loads(out)
    assert doc["bundle"] == BUNDLE and doc["outcome"] == "incomplete"
    assert [(m["matter"], m["outcome"]) for m in doc["matters"]] == [
        ("XX-MS-0001", "incomplete"), ("XX-MS-0002", "incomplete"),
        ("XX-HE-0002", "incomplete")]
    assert [(m["id"], m["matter"], m["matters"]) for m in doc["missing_materials"]] == [
        ("layout_plan", None, ["XX-MS-0002", "XX-HE-0002"])]
    assert [(e["field"], e["matters"]) for e in doc["field_errors"]] == [
        ("XX-MS-0001.business_scope", ["XX-MS-0001"])]
    assert doc["committed_deadline"] is None and doc["received_on"] == day


def test_precheck_human_names_the_matters(sample: Any, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    data, day = data_file(sample, tmp_path, FARM)
    code, out, _ = run(capsys, "precheck", BUNDLE, "--data", data, "--today", day,
                       "--catalog", CATALOG)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{BUNDLE} 开办餐饮店“一件事”: incomplete"
    assert "  事项 XX-HE-0002 公共场所卫生许可（新办）: incomplete" in lines
    layout = [line for line in lines if "layout_plan" in line]
    assert len(layout) == 1 and layout[0].startswith("  缺少材料 layout_plan ")
    assert layout[0].endswith("（食品经营许可证核发（新办）、公共场所卫生许可（新办））")
    scope = [line for line in lines if "business_scope" in line]
    assert len(scope) == 1 and scope[0].endswith("（个体工商户设立登记）")


def test_precheck_human_gives_each_members_deadlines(sample: Any, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    data, day = data_file(sample, tmp_path, FAMILY)
    code, out, _ = run(capsys, "precheck", BUNDLE, "--data", data, "--today", day,
                       "--catalog", CATALOG)
    assert code == 0 and out.splitlines()[0].endswith(": accept")
    member = [line for line in out.splitlines() if line.startswith("  事项 XX-MS-0002")]
    assert len(member) == 1 and "承诺办结: 20" in member[0] and "法定办结: 20" in member[0]
    assert "  不适用 XX-HE-0002 公共场所卫生许可（新办）" in out.splitlines()
    assert out.splitlines()[-1] == "  承诺办结: 2026-12-02  法定办结: " + \
        json.loads(_json(capsys, data, day))["statutory_deadline"]


def _json(capsys: pytest.CaptureFixture[str], data: str, day: str) -> str:
    main(["precheck", BUNDLE, "--data", data, "--today", day, "--catalog", CATALOG,
          "--json"])
    return capsys.readouterr().out


def test_receive_creates_linked_cases(sample: Any, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    data, day = data_file(sample, tmp_path, FARM)
    store = str(tmp_path / "store")
    code, out, _ = run(capsys, "cases", "receive", BUNDLE, "--data", data, "--today", day,
                       "--catalog", CATALOG, "--store", store, "--actor", "clerk", "--json")
    assert code == 0
    doc = json.loads(out)
    assert list(doc) == ["bundle", "number", "precheck", "cases"]
    numbers = [c["number"] for c in doc["cases"]]
    assert doc["bundle"] == BUNDLE and doc["number"] == numbers[0] and len(numbers) == 3
    assert doc["precheck"]["outcome"] == "incomplete"
    for case in doc["cases"]:
        assert case["state"] == "supplement" and case["bundle"]["cases"] == numbers
    # each is a case of the store, linked
    code, out, _ = run(capsys, "cases", "show", numbers[2], "--store", store,
                       "--catalog", CATALOG, "--json")
    assert code == 0 and json.loads(out)["bundle"]["number"] == numbers[0]


def test_receive_online_makes_the_cases_that_apply(sample: Any, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]
                                                   ) -> None:
    data, day = data_file(sample, tmp_path, FAMILY)
    code, out, _ = run(capsys, "cases", "receive", BUNDLE, "--data", data, "--today", day,
                       "--catalog", CATALOG, "--store", str(tmp_path / "store"),
                       "--channel", "online")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"{BUNDLE} FK") and lines[0].endswith(": accept")
    assert len(lines) == 3 and all(": received (" in line for line in lines[1:])
    assert [line.split()[1] for line in lines[1:]] == ["XX-MS-0001:", "XX-MS-0002:"]


def test_bad_bundle_data_is_an_error_and_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    for body in ('{"fields": []}', '{"fields": {}, "materials": {"id": 1}}',
                 '{"fields": {}, "materials": [{"id": "layout_plan", "copies": "two"}]}',
                 '{"fields": {}, "materials": [{"id": "x", "matter": 7}]}'):
        bad = tmp_path / "bad.json"
        bad.write_text(body, "utf-8")
        code, out, _ = run(capsys, "cases", "receive", BUNDLE, "--data", str(bad),
                           "--catalog", CATALOG, "--store", str(store), "--json")
        error = json.loads(out)["error"]
        assert code == 1 and error["code"] == "bad-data" and error["hint"], body
    assert not (store / "cases").exists() or not any((store / "cases").rglob("*.json"))


def test_receive_of_an_unknown_code_suggests_the_bundle(
        sample: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, _ = data_file(sample, tmp_path, FARM)
    code, out, _ = run(capsys, "cases", "receive", "XX-B-0001A", "--data", data,
                       "--catalog", CATALOG, "--store", str(tmp_path / "s"), "--json")
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "unknown-matter"
    assert error["hint"] == "did you mean 'XX-B-0001'?"


def test_an_unknown_code_suggests_the_bundle(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d.json"
    data.write_text('{"fields": {}}', "utf-8")
    code, out, _ = run(capsys, "precheck", "XX-B-0001A", "--data", str(data), "--catalog",
                       CATALOG, "--json")
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "unknown-matter"
    assert error["hint"] == "did you mean 'XX-B-0001'?"


def test_schema_and_eval_of_a_bundle_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", BUNDLE, "--catalog", CATALOG, "--json")
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "is-bundle"
    assert error["message"].startswith(f"{BUNDLE} is a bundle (开办餐饮店“一件事”)")
    assert "XX-MS-0001, XX-MS-0002, XX-HE-0002" in error["hint"]
    code, _, err = run(capsys, "eval", "1", "--catalog", CATALOG, "--matter", BUNDLE)
    assert code == 1 and f"{BUNDLE} is a bundle" in err


def test_validate_counts_matters_and_bundles(capsys: pytest.CaptureFixture[str],
                                             sample: Any) -> None:
    code, out, _ = run(capsys, "validate", CATALOG)
    matters = len(sample.matters)
    assert code == 0 and out == f"ok: {matters} matters and 2 bundles in {CATALOG}, no errors\n"
    code, out, _ = run(capsys, "validate", CATALOG, "--json")
    doc = json.loads(out)
    assert list(doc) == ["ok", "matters", "errors"] and doc["matters"] == matters


def test_test_runs_a_bundles_examples_alone(capsys: pytest.CaptureFixture[str],
                                            sample: Any) -> None:
    code, out, _ = run(capsys, "test", CATALOG, "--matter", BUNDLE, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["passed"] == len(sample.bundles[BUNDLE].tests)
    assert doc["failed"] == 0
    code, out, _ = run(capsys, "test", CATALOG, "--matter", BUNDLE)
    assert code == 0 and out == f"4 passed, 0 failed (bundles: {BUNDLE})\n"
    code, out, _ = run(capsys, "test", CATALOG, "--matter", "XX-B-0001A", "--json")
    assert code == 1 and json.loads(out)["error"]["hint"] == "did you mean 'XX-B-0001'?"


def test_a_failing_bundle_example_names_the_bundle(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]
                                                   ) -> None:
    import shutil

    folder = tmp_path / "definitions"
    shutil.copytree(CATALOG, folder)
    (tmp_path / "rules").symlink_to(ROOT / "rules")
    path = folder / "bundles" / "open_restaurant.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace('committed_deadline: "2026-12-02"',
                                 'committed_deadline: "2026-12-03"'), "utf-8")
    code, out, _ = run(capsys, "test", str(folder), "--matter", BUNDLE, "--json")
    doc = json.loads(out)
    assert code == 1 and doc["failed"] == 1
    failure = doc["failures"][0]
    assert failure["matter"] == BUNDLE and failure["test"] == FAMILY
    assert failure["file"].endswith("open_restaurant.yaml")
    code, out, _ = run(capsys, "test", str(folder), "--matter", BUNDLE)
    assert f"FAIL {BUNDLE} (bundle 开办餐饮店“一件事”) · {FAMILY}" in out


def test_the_process_prints_one_json_document_and_no_traceback(tmp_path: Path,
                                                               sample: Any) -> None:
    data, day = data_file(sample, tmp_path, FARM)
    env = dict(os.environ, PYTHONPATH=str(ROOT), LC_ALL="C.UTF-8")

    def formkit(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "formkit", *args], env=env,
                              capture_output=True, timeout=120, check=False)

    ran = formkit("precheck", BUNDLE, "--data", data, "--today", day, "--catalog", CATALOG,
                  "--json")
    assert ran.returncode == 0 and b"Traceback" not in ran.stderr
    assert json.loads(ran.stdout.decode("utf-8"))["outcome"] == "incomplete"
    bad = tmp_path / "bad.json"
    bad.write_text('{"fields": {"operator_name": ', "utf-8")
    ran = formkit("cases", "receive", BUNDLE, "--data", str(bad), "--catalog", CATALOG,
                  "--store", str(tmp_path / "store"), "--json")
    out = ran.stdout.decode("utf-8")
    assert ran.returncode == 1 and b"Traceback" not in ran.stderr and out.count("\n") == 1
    assert json.loads(out)["error"]["message"].startswith(f"{bad} is not valid JSON")
