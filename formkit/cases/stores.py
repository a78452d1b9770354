"""Open a case store by where it is: a folder (the embedded store) or a
``postgresql://`` URL; copy an embedded store into PostgreSQL (``formkit cases migrate``).

psycopg is imported only when a URL names PostgreSQL: the engine runs without it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from formkit.cases.store import CaseStore
from formkit.errors import StoreError

__all__ = ["is_url", "migrate", "open_store", "printable", "upgrade"]

_SCHEMES = ("postgresql://", "postgres://")
_EPOCH = dt.date.min
_PASSWORD_PARAM = re.compile(r"(?i)([?&]password=)[^&#]*")


def is_url(where: str) -> bool:
    """Whether ``where`` names a PostgreSQL database (else a folder)."""
    return where.strip().lower().startswith(_SCHEMES)


def printable(where: str) -> str:
    """``where`` (a store's ``--store`` / ``FORMKIT_STORE``) safe to print or log: a
    URL with its password replaced by ``***`` (in the user part, ``user:***@host``, and
    a ``password=`` parameter); a folder as it is.

    >>> printable("postgresql://formkit:s3cret@db.local:5432/cases?password=x")
    'postgresql://formkit:***@db.local:5432/cases?password=***'
    >>> printable("var/store")
    'var/store'
    """
    if "://" not in where:
        return where
    scheme, _, rest = where.partition("://")
    ends = [i for i in (rest.find("?"), rest.find("#")) if i >= 0]
    cut = min(ends, default=len(rest))
    # the last "@" before the query: a password may hold an unescaped "@" or "/"
    at = rest.rfind("@", 0, cut)
    if at >= 0 and ":" in rest[:at]:
        rest = f"{rest[:at].split(':', 1)[0]}:***{rest[at:]}"
    return scheme + "://" + _PASSWORD_PARAM.sub(r"\1***", rest)


def open_store(where: str, *, create: bool = True, prefix: str = "FK") -> CaseStore:
    """The case store at ``where``: a ``postgresql://`` URL (``PostgresCaseStore``, its
    schema made by ``formkit db upgrade``) or a folder (``TinyCaseStore``; ``create``
    off: ``open_existing``, which never makes one).

    Raises:
        StoreError: as the store's constructor (no store, bad URL, no server, sign-in
            refused, schema older than the code ...).
    """
    if is_url(where):
        from formkit.cases.pgstore import PostgresCaseStore

        return PostgresCaseStore(where.strip(), prefix=prefix)
    if "://" in where:
        raise StoreError(f"'{printable(where)}' is neither a folder nor a postgresql:// URL",
                         None,
                         code="bad-store-url",
                         hint="a folder, or postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE")
    from formkit.cases.tinystore import TinyCaseStore

    if create:
        return TinyCaseStore(where, prefix=prefix)
    return TinyCaseStore.open_existing(where, prefix=prefix)


def upgrade(url: str) -> list[str]:
    """Apply the schema migrations a PostgreSQL store lacks (``formkit db upgrade``);
    returns their names."""
    if not is_url(url):
        raise StoreError(f"'{url}' is not a postgresql:// URL: only a PostgreSQL store has "
                         "a schema to upgrade", None, code="bad-store-url",
                         hint="postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE")
    from formkit.cases.pgstore import upgrade as run

    return run(url.strip())


def migrate(source: str, target: str) -> dict[str, Any]:
    """Copy the embedded store in folder ``source`` into the PostgreSQL store at
    ``target`` (``formkit cases migrate``): cases, matter snapshots and the audit trail
    (its lines as they are, so its hash chain and head stay the same), in one
    transaction; then verify the counts and the chain. Applies the schema migrations
    first. A target that already holds exactly this store is reported as done (a
    re-run); one that holds anything else of the centre is refused.

    Returns the report: ``{"centre", "cases", "open_cases", "audit", "versions",
    "head", "copied"}``.
    """
    from formkit.cases.files import audit_files
    from formkit.cases.pgstore import PostgresCaseStore
    from formkit.cases.service import summary
    from formkit.cases.tinystore import TinyCaseStore

    if is_url(source) or not is_url(target):
        raise StoreError("cases migrate copies a store folder (--from) into a PostgreSQL "
                         "database (--to)", None, code="bad-store-url",
                         hint="formkit cases migrate --from var/store --to "
                              "postgresql://USER:PASSWORD@HOST/DATABASE")
    TinyCaseStore.open_existing(source)  # refuses a folder that holds no store
    src = TinyCaseStore(source)  # completes a pending crash journal first
    prefixes = {c["number"][:-13] for c in src.cases_since(_EPOCH, copy=False)}
    if len(prefixes) > 1:
        raise StoreError(f"the store at {source} holds cases of several centres "
                         f"({', '.join(sorted(prefixes))})", None, code="mixed-prefixes",
                         hint="a store is one centre's: split it by prefix (formkit cases "
                              "export, then import into one store each)")
    prefix = prefixes.pop() if prefixes else "FK"
    chain = src.verify_audit()
    if not chain["ok"]:
        broken = chain["break"]
        raise StoreError(f"the audit trail of {source} is broken at {broken['file']}:"
                         f"{broken['line']} ({broken['what']}): nothing was copied", None,
                         code="audit-broken",
                         hint="formkit cases verify shows it; restore the trail first")
    upgrade(target)
    dst = PostgresCaseStore(target.strip(), prefix=prefix)
    expected = {"cases": sum(1 for _ in src.cases_since(_EPOCH, copy=False)),
                "open_cases": len(src.open_summaries()),
                "audit": chain["entries"] + chain["unchained"],
                "versions": len(src.versions())}
    before = dst.counts()
    copied = False
    if any(before.values()):
        if before != expected or dst.verify_audit().get("head") != chain["head"]:
            raise StoreError(f"the database already holds cases or audit entries of {prefix} "
                             f"({before['cases']} cases, {before['audit']} audit entries): "
                             "nothing was copied", None, code="target-not-empty",
                             hint="copy into an empty database, or one without this centre")
    else:
        lines = []
        for path in audit_files(Path(source) / "audit"):
            for raw in path.read_bytes().split(b"\n"):
                try:
                    entry = json.loads(raw) if raw.strip() else None
                except ValueError:
                    entry = None  # a line cut short by a crash: never acknowledged
                if isinstance(entry, dict):
                    lines.append(raw.decode("utf-8"))
        dst.load(src.cases_since(_EPOCH), summary, src.versions(), lines)
        copied = True
    found = dst.counts()
    check = dst.verify_audit()
    if found != expected or not check["ok"] or check["head"] != chain["head"]:
        raise StoreError(f"the copy in the database does not match {source}: "
                         f"{json.dumps(found)} against {json.dumps(expected)}, audit head "
                         f"{check.get('head')} against {chain['head']}", None,
                         code="migrate-mismatch",
                         hint="was the store written to during the copy? stop its writers "
                              "and copy again into an empty database")
    return {"centre": prefix, **found, "head": check["head"], "copied": copied}

