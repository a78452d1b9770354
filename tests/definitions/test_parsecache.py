"""The parse cache: a second load gives exactly what a fresh read gives, faster.

Every case opens a catalog twice with its own cache folder: once cold (files read and
clean ones kept), once warm (clean ones from the cache); both must agree on the
matters, their expressions' positions and every error.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from formkit.catalog import OpenCatalog, open_catalog
from formkit.definitions.model import Expr
from formkit.definitions.parsecache import ParseCache, default_cache, fingerprint
from formkit.definitions.yamldoc import PosStr
from formkit.intake.examples import conditions
from tests.conftest import MakeCatalog
from tests.definitions.test_loader import BASE, CASES

SAMPLE = Path(__file__).resolve().parents[2] / "definitions"


def _errors(opened: OpenCatalog) -> list[tuple[Any, ...]]:
    return [(e.kind, e.code, e.message, e.hint, e.span) for e in opened.errors]


def _positions(value: Any) -> list[Any]:
    """Where every expression and positioned text of a model came from (``==`` on
    models compares texts only: a plain str equals a PosStr)."""
    out: list[Any] = []
    if isinstance(value, Expr):
        out.append((value.text, value.span(), value.span(1, 3)))
    elif isinstance(value, PosStr):
        out.append((str(value), value.file.name, value.start, value.end, value.style))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            out += _positions(getattr(value, name))
    elif isinstance(value, dict):
        for k, v in value.items():
            out += _positions(k) + _positions(v)
    elif isinstance(value, list | tuple):
        for v in value:
            out += _positions(v)
    return out


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.rglob("*.pickle"))


def _twice(folder: Path, cache_dir: Path) -> tuple[OpenCatalog, OpenCatalog, ParseCache]:
    cold = open_catalog(folder, cache=ParseCache(cache_dir))
    warm_cache = ParseCache(cache_dir)
    warm = open_catalog(folder, cache=warm_cache)
    return cold, warm, warm_cache


def test_the_sample_catalog_loads_the_same_from_the_cache(tmp_path: Path) -> None:
    cold, warm, cache = _twice(SAMPLE, tmp_path)
    assert cache.hits == len(cold.matters) == len(_entries(tmp_path)) >= 15
    assert warm.errors == cold.errors == []
    assert warm.matters == cold.matters
    for code, matter in warm.matters.items():
        assert matter.file == cold.matters[code].file
        assert _positions(matter) == _positions(cold.matters[code])
        assert any(p[1] is not None for p in _positions(matter))
        # Expressions keep their exact positions (what rule errors point at).
        for (_, expr, _), (_, was, _) in zip(conditions(matter),
                                             conditions(cold.matters[code]), strict=True):
            assert expr.span() is not None
            assert expr.span() == was.span() and expr.span(2, 5) == was.span(2, 5)
        # The released document still places any key of the file.
        doc, was_doc = warm.doc_of(matter), cold.doc_of(cold.matters[code])
        assert doc is not None and was_doc is not None
        assert doc.span_at(("materials", 0, "id")) == was_doc.span_at(("materials", 0, "id"))
        assert warm.rules[code].errors == []


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_a_broken_definition_reports_the_same_errors_warm(
        make_catalog: MakeCatalog, tmp_path: Path, text: str | bytes, expected: Any) -> None:
    folder = make_catalog(text)
    cold, warm, _ = _twice(folder, tmp_path / "cache")
    assert _errors(warm) == _errors(cold) and cold.errors
    assert [_positions(m) for m in warm.matters.values()] == [
        _positions(m) for m in cold.matters.values()]


def test_only_clean_files_are_kept(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    clean = BASE
    unknown_key = BASE.replace('XX-T-0001', 'XX-T-0002') + "colour: red\n"
    bad_section = (BASE.replace('XX-T-0001', 'XX-T-0003')
                   + "route:\n  - step: [market_supervision.nowhere]\n")
    folder = make_catalog(clean, unknown_key, bad_section)
    cold, warm, cache = _twice(folder, tmp_path / "cache")
    # The model error is never cached; the cross-check error (a clean file, checked
    # against the catalog each time) is found again, at the same place.
    assert cache.hits == 2 and len(_entries(tmp_path / "cache")) == 2
    assert [e.code for e in warm.errors] == [e.code for e in cold.errors] == [
        "unknown-key", "unknown-section"]
    assert _errors(warm) == _errors(cold)


def test_an_edited_file_is_read_again(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    folder = make_catalog(BASE)
    cache_dir = tmp_path / "cache"
    open_catalog(folder, cache=ParseCache(cache_dir))
    path = folder / "market_supervision" / "matter1.yaml"
    path.write_text(BASE.replace("测试事项", "改过的事项"), encoding="utf-8")
    cache = ParseCache(cache_dir)
    opened = open_catalog(folder, cache=cache)
    assert cache.hits == 0 and cache.written == 1
    assert opened.matters["XX-T-0001"].name.zh == "改过的事项"


def test_a_file_with_a_byte_order_mark_is_kept_too(make_catalog: MakeCatalog,
                                                  tmp_path: Path) -> None:
    folder = make_catalog(("\ufeff" + BASE).encode("utf-8"))
    cold, warm, cache = _twice(folder, tmp_path / "cache")
    assert cache.hits == 1 and warm.matters == cold.matters and not warm.errors


def test_the_same_text_under_another_name_is_its_own_entry(
        make_catalog: MakeCatalog, tmp_path: Path) -> None:
    first = make_catalog(BASE)
    second = make_catalog(BASE)
    cache_dir = tmp_path / "cache"
    open_catalog(first, cache=ParseCache(cache_dir))
    cache = ParseCache(cache_dir)
    opened = open_catalog(second, cache=cache)
    assert cache.hits == 0
    assert opened.matters["XX-T-0001"].file.startswith(str(second))


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"])
def test_a_damaged_entry_is_a_miss_and_is_replaced(
        make_catalog: MakeCatalog, tmp_path: Path, damage: bytes) -> None:
    folder = make_catalog(BASE)
    cache_dir = tmp_path / "cache"
    cold = open_catalog(folder, cache=ParseCache(cache_dir))
    [entry] = _entries(cache_dir)
    entry.write_bytes(damage)
    cache = ParseCache(cache_dir)
    warm = open_catalog(folder, cache=cache)
    assert cache.hits == 0 and warm.matters == cold.matters and warm.errors == []
    assert entry.read_bytes() != damage  # written again by this load


class _Planted:
    """An entry that would run a command if it were unpickled without restriction."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def test_an_entry_cannot_run_code(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    folder = make_catalog(BASE)
    cache_dir = tmp_path / "cache"
    open_catalog(folder, cache=ParseCache(cache_dir))
    [entry] = _entries(cache_dir)
    marker = tmp_path / "ran"
    entry.write_bytes(pickle.dumps(_Planted(marker)))
    cache = ParseCache(cache_dir)
    opened = open_catalog(folder, cache=cache)
    assert not marker.exists()
    assert cache.hits == 0 and list(opened.matters) == ["XX-T-0001"]


def _global_call(module: str, name: str, *args: str) -> bytes:
    """A protocol-4 pickle calling ``module``'s ``name`` (dotted names are followed by
    a plain unpickler) with text arguments."""
    def text(t: str) -> bytes:
        data = t.encode()
        return b"\x8c" + bytes([len(data)]) + data
    return (b"\x80\x04" + text(module) + text(name) + b"\x93" + b"(" +
            b"".join(text(a) for a in args) + b"tR.")


@pytest.mark.parametrize(("module", "name"), [
    ("formkit.definitions.yamldoc", "yaml.io.FileIO"),  # a class, through a module attribute
    ("formkit.definitions.model", "Path"),  # a class imported into the model module
    ("io", "FileIO"),
])
def test_an_entry_cannot_reach_other_classes(make_catalog: MakeCatalog, tmp_path: Path,
                                             module: str, name: str) -> None:
    folder = make_catalog(BASE)
    cache_dir = tmp_path / "cache"
    open_catalog(folder, cache=ParseCache(cache_dir))
    [entry] = _entries(cache_dir)
    marker = tmp_path / "created"
    entry.write_bytes(_global_call(module, name, str(marker), "w"))
    plain = tmp_path / "plain"
    with contextlib.suppress(Exception):  # a plain unpickler would create the file...
        pickle.loads(_global_call(module, name, str(plain), "w"))
    cache = ParseCache(cache_dir)
    opened = open_catalog(folder, cache=cache)
    assert not marker.exists()  # ...ours does not
    assert cache.hits == 0 and list(opened.matters) == ["XX-T-0001"]
    if module == "formkit.definitions.yamldoc":
        assert plain.exists()  # the attack is real


def test_a_folder_others_may_write_is_not_used(make_catalog: MakeCatalog,
                                               tmp_path: Path) -> None:
    folder = make_catalog(BASE)
    cache_dir = tmp_path / "shared"
    cache_dir.mkdir()
    cache_dir.chmod(0o777)
    cache = ParseCache(cache_dir)
    assert open_catalog(folder, cache=cache).errors == []
    assert not cache.usable and _entries(cache_dir) == []


def test_a_folder_that_cannot_be_made_is_no_error(make_catalog: MakeCatalog,
                                                  tmp_path: Path) -> None:
    folder = make_catalog(BASE)
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    opened = open_catalog(folder, cache=ParseCache(blocker / "cache"))
    assert opened.errors == [] and list(opened.matters) == ["XX-T-0001"]


def test_new_cache_folders_are_private_whatever_the_umask(make_catalog: MakeCatalog,
                                                           tmp_path: Path) -> None:
    cache_dir = tmp_path / "new" / "cache"
    folder = make_catalog(BASE)
    was = os.umask(0)
    try:
        cache = ParseCache(cache_dir)
        open_catalog(folder, cache=cache)
    finally:
        os.umask(was)
    [entry] = _entries(cache_dir)
    for made in (cache_dir, cache.folder, entry.parent):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700, made
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_a_linked_cache_folder_is_not_used(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    cache = ParseCache(link)
    assert open_catalog(make_catalog(BASE), cache=cache).errors == []
    assert not cache.usable and list(real.iterdir()) == []


def test_a_file_name_that_is_not_utf8_is_no_error(make_catalog: MakeCatalog,
                                                   tmp_path: Path) -> None:
    folder = make_catalog(files={os.fsdecode(b"market_supervision/\xb2\xe2.yaml"): BASE})
    cold, warm, cache = _twice(folder, tmp_path / "cache")
    assert list(warm.matters) == list(cold.matters) == ["XX-T-0001"] and not warm.errors
    assert cache.hits == 1


def _old(path: Path) -> None:
    os.utime(path, (1_000_000, 1_000_000), follow_symlinks=False)


def test_prune_keeps_the_newest_entries_and_drops_old_formkit_folders(
        make_catalog: MakeCatalog, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cache = ParseCache(cache_dir)
    folder = make_catalog(*(BASE.replace("0001", f"{i:04d}") for i in range(1, 6)))
    open_catalog(folder, cache=cache)
    entries = _entries(cache_dir)
    for age, entry in enumerate(entries):
        os.utime(entry, (1_000_000 + age, 1_000_000 + age))
    stale = cache_dir / ("0" * 16)  # another formkit's, not used for a week
    (stale / "ab").mkdir(parents=True)
    (stale / "ab" / "x.pickle").write_bytes(b"")
    _old(stale / "ab")
    _old(stale)
    used = cache_dir / ("1" * 16)  # another install's: its folder is old, its stamp new
    used.mkdir()
    (used / "last-used").touch()
    _old(used)
    mine = cache_dir / "thesis-drafts-v2"  # 16 characters, not formkit's
    mine.mkdir()
    _old(mine)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("x", encoding="utf-8")
    linked = cache_dir / ("2" * 16)
    linked.symlink_to(elsewhere)
    _old(linked)
    cache.prune(keep=2)
    assert _entries(cache.folder) == entries[-2:]
    assert not stale.exists()
    assert used.exists() and mine.exists() and (elsewhere / "keep.txt").exists()


def test_the_environment_names_the_folder_or_turns_it_off(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FORMKIT_CACHE_DIR", str(tmp_path / "here"))
    found = default_cache()
    assert found is not None and found.folder == tmp_path / "here" / str(fingerprint())
    monkeypatch.delenv("FORMKIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    found = default_cache()
    assert found is not None and found.folder.parent == tmp_path / "xdg" / "formkit"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # never a cache in the working folder
    assert default_cache() is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("FORMKIT_CACHE", "off")
    assert default_cache() is None


def test_validate_prints_the_same_json_with_and_without_the_cache(
        make_catalog: MakeCatalog, tmp_path: Path) -> None:
    folder = make_catalog(BASE, BASE.replace("0001", "0002") + "colour: red\n")
    env = {**os.environ, "FORMKIT_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-m", "formkit", "validate", str(folder),
                            "--json"], env=env, capture_output=True, text=True, check=False)
            for env in (env, env, {**env, "FORMKIT_CACHE": "off"})]
    assert [r.returncode for r in runs] == [1, 1, 1]
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert json.loads(runs[0].stdout)["errors"][0]["line"] == 6
    assert len(_entries(tmp_path / "cache")) == 1  # the clean file only


def test_no_cache_reads_every_file(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(BASE)
    first, second = open_catalog(folder, cache=False), open_catalog(folder, cache=False)
    assert first.matters == second.matters and not first.errors
