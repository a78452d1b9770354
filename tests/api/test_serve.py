"""`formkit serve`: what it checks before uvicorn starts (the server itself is run by
hand, see docs/api.md; the app is tested through the test client)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from formkit.cli import main


def test_without_the_api_extra_serve_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name in ("fastapi", "uvicorn") else real(name, *args)
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert main(["serve", "definitions"]) == 2
    assert "pip install 'formkit[api]'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--workers", "0"], ["--port", "70000"]])
def test_bad_options_are_usage_errors(argv: list[str]) -> None:
    assert main(["serve", "definitions", *argv]) == 2


def test_a_catalog_that_does_not_load_stops_it_before_any_worker(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(tmp_path / "none"), "--store", str(tmp_path / "s"),
                 "--json"]) == 1
    assert '"error"' in capsys.readouterr().out


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run's calls, instead of a server."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    monkeypatch.delenv("FORMKIT_API_SECRET", raising=False)
    monkeypatch.delenv("FORMKIT_CATALOG", raising=False)
    monkeypatch.delenv("FORMKIT_STORE", raising=False)
    monkeypatch.setenv("FORMKIT_SECURITY_LOG", "/dev/null")
    return calls


def test_no_usable_api_secret_exits_1_before_uvicorn(
        tmp_path: Path, ran: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FORMKIT_API_SECRET", "too short")
    assert main(["serve", str(ROOT / "definitions"), "--store", str(tmp_path / "s"),
                 "--json"]) == 1
    assert ran == []
    out = capsys.readouterr()
    assert "api-secret" in out.out and "serving" not in out.err


def test_a_users_yaml_that_does_not_load_exits_1_before_uvicorn(
        tmp_path: Path, ran: list[dict[str, Any]]) -> None:
    import shutil

    shutil.copytree(ROOT / "definitions", tmp_path / "defs")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "defs" / "api_keys.yaml").write_text("api_keys: [1, 2\n", encoding="utf-8")
    assert main(["serve", str(tmp_path / "defs"), "--store", str(tmp_path / "s")]) == 1
    assert ran == []


def test_serve_never_prints_the_database_password() -> None:
    from formkit.api.errors import safe_url

    assert safe_url("postgresql://formkit:s3cret@127.0.0.1/db") == \
        "postgresql://formkit:***@127.0.0.1/db"
    assert "s3cret" not in safe_url("postgres://u:s3cret@h:5432/db?sslmode=require")
    assert "s3cret" not in safe_url("postgresql://h/db?user=u&password=s3cret")
    assert safe_url("var/store") == "var/store"


def test_serve_prints_the_store_without_password(
        tmp_path: Path, ran: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import formkit.cases.stores as stores

    opened: list[tuple[str, str]] = []

    def fake_open(where: str, *, create: bool = True, prefix: str = "FK") -> Any:
        from formkit.cases.tinystore import TinyCaseStore

        opened.append((where, prefix))
        return TinyCaseStore(tmp_path / "s", prefix=prefix)
    monkeypatch.setattr(stores, "open_store", fake_open)
    url = "postgresql://formkit:s3cret@127.0.0.1/formkit_review"
    assert main(["serve", str(ROOT / "definitions"), "--store", url]) == 0
    err = capsys.readouterr().err
    assert "s3cret" not in err and "formkit:***@127.0.0.1" in err
    assert ran and ran[0]["proxy_headers"] is False and ran[0]["forwarded_allow_ips"] is None
    assert opened[0] == (url, "FK")


def test_forwarded_allow_ips_trusts_the_proxy(
        tmp_path: Path, ran: list[dict[str, Any]]) -> None:
    assert main(["serve", str(ROOT / "definitions"), "--store", str(tmp_path / "s"),
                 "--forwarded-allow-ips", "10.0.0.5"]) == 0
    assert ran[0]["proxy_headers"] is True
    assert ran[0]["forwarded_allow_ips"] == "10.0.0.5"


def test_cases_receive_numbers_with_the_catalog_code_prefix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json
    import shutil

    shutil.copytree(ROOT / "definitions", tmp_path / "defs")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    cat = tmp_path / "defs" / "catalog.yaml"
    cat.write_text(cat.read_text(encoding="utf-8") + "\ncode_prefix: ZZ\n", encoding="utf-8")
    from formkit.catalog import open_catalog

    rules = open_catalog(ROOT / "definitions").rules_of("XX-MS-0001")
    assert rules is not None
    example = rules.matter.tests[0]
    data = {"fields": example.fields,
            "materials": [m.model_dump(mode="json", exclude_none=True)
                          for m in example.materials]}
    (tmp_path / "data.json").write_text(json.dumps(data), encoding="utf-8")
    code = main(["cases", "receive", "XX-MS-0001", "--catalog", str(tmp_path / "defs"),
                 "--store", str(tmp_path / "s"), "--data", str(tmp_path / "data.json"),
                 "--today", "2026-11-20", "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert json.loads(out)["number"].startswith("ZZ")
