"""``formkit notice BUNDLE --data FILE``: a bundle's combined document (高效办成一件事)
for a submission, the kind its outcome calls for or ``KIND``, on the sample catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from formkit.cli import main
from tests.cases.support import DEFINITIONS
from tests.documents.test_bundle_notices import COMPLETE, FLOOR_PLAN, MISSING, submission

BUNDLE = "XX-B-0001"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main([*args, "--catalog", str(DEFINITIONS)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return status, out, err


def data_file(tmp_path: Path, name_part: str) -> str:
    sub, _ = submission(name_part)
    path = tmp_path / "sub.json"
    path.write_text(json.dumps(sub, ensure_ascii=False, default=str), encoding="utf-8")
    return str(path)


def test_an_incomplete_bundle_prints_its_one_time_notice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "notice", BUNDLE, "--data", data_file(tmp_path, MISSING),
                           "--today", "2026-11-25", "--text")
    assert (status, err) == (0, "")
    assert "开办餐饮店“一件事”一次性告知书" in out
    assert out.count(FLOOR_PLAN) == 1 and "申请人：梁志强" in out
    assert "申请表（个体工商户设立登记部分）：经营范围" in out
    assert "请于2026年12月2日前" in out


def test_a_complete_bundle_prints_its_acceptance_as_html(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "notice", BUNDLE, "--data", data_file(tmp_path, COMPLETE),
                           "--today", "2026-11-25")
    assert (status, err) == (0, "")
    assert out.lstrip().lower().startswith("<!doctype html")
    assert "开办餐饮店“一件事”受理通知书" in out and "公共场所卫生许可（新办）" in out


def test_a_kind_the_bundle_does_not_have(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = data_file(tmp_path, MISSING)
    status, out, err = run(capsys, "notice", BUNDLE, "acceptance", "--data", data,
                           "--today", "2026-11-25")
    assert (status, out) == (1, "")
    assert "没有予以受理的事项" in err and "hint: print the 一次性告知书 (supplement)" in err
    status, out, err = run(capsys, "notice", BUNDLE, "decision", "--data", data)
    assert (status, out) == (2, "")
    assert "acceptance, supplement, refusal" in err


def test_an_unknown_bundle_is_not_found(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "notice", "XX-B-0009", "--data",
                           data_file(tmp_path, MISSING))
    assert (status, out) == (1, "")
    assert "XX-B-0009" in err


def test_without_kind_or_data_is_a_command_line_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "notice", "FK2026112500001")
    assert (status, out) == (2, "")
    assert "--data" in err
