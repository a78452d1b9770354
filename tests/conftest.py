"""Shared fixtures: small catalog folders written into ``tmp_path``."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

# The parse cache (formkit.definitions.parsecache) of this test run, shared by the CLI and studio
# processes the tests start: never the developer's own ~/.cache/formkit.
_CACHE_DIR = tempfile.mkdtemp(prefix="formkit-test-cache-")
os.environ["FORMKIT_CACHE_DIR"] = _CACHE_DIR


@pytest.fixture(scope="session", autouse=True)
def _parse_cache_dir() -> Iterator[None]:
    yield
    shutil.rmtree(_CACHE_DIR, ignore_errors=True)

# Two departments, each with back-office sections: enough for routes and departments.
CATALOG_YAML = """\
name: {zh: 测试行政服务中心, en: Test Service Center}
departments:
  - id: market_supervision
    name: {zh: 市场监督管理局}
    sections:
      - id: registration
        name: {zh: 登记注册股}
      - id: food_licensing
        name: {zh: 食品经营许可股}
  - id: ecology
    name: {zh: 生态环境分局}
    sections:
      - id: review
        name: {zh: 环评审批股}
"""

COMMON_RULES = """\
# shared by every matter that says `uses: [common]`
let adult(id) = years_between(id_birthdate(id), today()) >= 18
"""

MakeCatalog = Callable[..., Path]


@pytest.fixture
def make_catalog(tmp_path: Path) -> MakeCatalog:
    """A factory writing a catalog folder; returns the folder that holds catalog.yaml.

    ``make_catalog(text1, text2, ...)`` writes each matter text (str, or bytes as-is) to
    ``market_supervision/matter1.yaml``, ``matter2.yaml``, ...; ``files`` adds files by
    path relative to the folder; ``rules`` is the text of ``rules/common.rules`` beside
    the folder (``None``: no rules folder); ``catalog`` replaces catalog.yaml.
    """
    made = 0

    def make(*matters: str | bytes, files: Mapping[str, str | bytes] | None = None,
             rules: str | None = COMMON_RULES, catalog: str = CATALOG_YAML) -> Path:
        nonlocal made
        made += 1
        base = tmp_path / f"site{made}"
        folder = base / "definitions"
        folder.mkdir(parents=True)
        (folder / "catalog.yaml").write_text(catalog, encoding="utf-8")
        if rules is not None:
            (base / "rules").mkdir()
            (base / "rules" / "common.rules").write_text(rules, encoding="utf-8")
        todo: dict[str, str | bytes] = {
            f"market_supervision/matter{i}.yaml": text for i, text in enumerate(matters, 1)}
        todo.update(files or {})
        for rel, text in todo.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        return folder

    return make
