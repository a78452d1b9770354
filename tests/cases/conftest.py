"""The store contract suite's fixtures: one store test, run against every store.

``make_store`` is parametrized over the embedded store ("tiny") and PostgreSQL
("postgres"); each PostgreSQL store lives in a schema of its own (a fresh, empty store
per call, dropped at the end of the run), in the database named by
``FORMKIT_TEST_PG`` (default ``postgresql://formkit:formkit@127.0.0.1/formkit_test``;
``.ci/run`` creates it). When no server answers, the PostgreSQL tests are skipped with
the reason, and under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import functools
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.store import CaseStore
from formkit.cases.tinystore import TinyCaseStore

PG_URL = os.environ.get("FORMKIT_TEST_PG",
                        "postgresql://formkit:formkit@127.0.0.1/formkit_test")
MakeStore = Callable[..., CaseStore]
_schemas: list[str] = []
_urls: list[str] = []  # the store URLs made, for close_test_pools


@functools.cache
def _pg_problem() -> str | None:
    """Why PostgreSQL tests cannot run here (None: they can)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return None


def need_postgres() -> None:
    """Skip (fail under CI=true) unless the test database answers."""
    problem = _pg_problem()
    if problem is None:
        return
    where = re.sub(r":[^:@/]*@", ":***@", PG_URL)
    message = (f"no PostgreSQL test database at {where} ({problem}); set FORMKIT_TEST_PG, "
               "or start one: pg_ctlcluster 15 main start (.ci/run creates the role and "
               "database)")
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def new_pg_url() -> str:
    """The URL of a fresh, empty store: a new schema, migrated (dropped at the end)."""
    import psycopg

    from formkit.cases.pgstore import upgrade

    need_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    _schemas.append(schema)
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    _urls.append(url)
    upgrade(url)
    return url


def pg_schema_url() -> str:
    """A fresh schema with no formkit tables (for the upgrade tests)."""
    import psycopg

    need_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    _schemas.append(schema)
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    _urls.append(url)
    return url


@pytest.fixture(scope="session", autouse=True)
def _drop_schemas() -> Iterator[None]:
    yield
    if not _schemas:
        return
    import psycopg

    from formkit.cases.pgstore import close_pools

    close_pools()
    try:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for schema in _schemas:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    except psycopg.Error:  # pragma: no cover - the server went away at the end
        pass
    _schemas.clear()


@pytest.fixture(autouse=True)
def close_test_pools() -> Iterator[None]:
    """Close the connection pools of the stores a test made when it ends: a pool per
    schema kept to the end of the run would hold connections by the hundred
    (PostgreSQL allows 100 by default)."""
    made = len(_urls)
    yield
    if len(_urls) > made:
        from formkit.cases.pgstore import close_pools

        for url in _urls[made:]:
            close_pools(url)


def reopen(store: CaseStore, **kwargs: Any) -> CaseStore:
    """A second store object on the same store (another process would open)."""
    if isinstance(store, TinyCaseStore):
        return TinyCaseStore(store.root, prefix=store.prefix, **kwargs)
    from formkit.cases.pgstore import PostgresCaseStore

    assert isinstance(store, PostgresCaseStore)
    return PostgresCaseStore(store.url, prefix=store.prefix)


def fresh_store(like: CaseStore | str, path: Path, prefix: str = "FK") -> CaseStore:
    """A new, empty store of the kind of ``like`` (a store, or "tiny" / "postgres"):
    a folder at ``path``, or a fresh schema."""
    if like == "tiny" or isinstance(like, TinyCaseStore):
        return TinyCaseStore(path, prefix=prefix)
    from formkit.cases.pgstore import PostgresCaseStore

    return PostgresCaseStore(new_pg_url(), prefix=prefix)


def other_centre(store: CaseStore, prefix: str) -> CaseStore:
    """Another centre's store beside ``store``: a folder of its own, or the same
    database (every row carries its centre)."""
    if isinstance(store, TinyCaseStore):
        return TinyCaseStore(store.root.parent / f"other-{prefix}", prefix=prefix)
    from formkit.cases.pgstore import PostgresCaseStore

    assert isinstance(store, PostgresCaseStore)
    return PostgresCaseStore(store.url, prefix=prefix)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract: a store test that every store must pass "
                            "(run against PostgreSQL too)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The "postgres" case of a ``store`` fixture is for contract tests only."""
    keep, drop = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        if spec is not None and spec.params.get("store") == "postgres" \
                and item.get_closest_marker("contract") is None:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(params=["tiny", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        need_postgres()
    return str(request.param)


@pytest.fixture
def make_store(store_kind: str, tmp_path: Path) -> MakeStore:
    """``make_store(prefix="FK", **tiny_options)``: a fresh, empty store of the kind."""
    made = 0

    def make(prefix: str = "FK", **kwargs: Any) -> CaseStore:
        nonlocal made
        made += 1
        if store_kind == "tiny":
            return TinyCaseStore(tmp_path / f"store{made}", prefix=prefix, **kwargs)
        from formkit.cases.pgstore import PostgresCaseStore

        return PostgresCaseStore(new_pg_url(), prefix=prefix)
    return make
