"""The PostgreSQL store's own tests (formkit.cases.pgstore), and the idempotency key of
``create`` against both stores. The contract tests shared with the embedded store are in
test_tinystore.py (marked ``contract``); conftest.py says how the server is found."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.service import summary
from formkit.cases.store import CaseStore
from formkit.cases.stores import migrate, open_store
from formkit.cases.tinystore import TinyCaseStore
from formkit.errors import StoreError
from tests.cases.conftest import PG_URL, MakeStore, new_pg_url, pg_schema_url, reopen
from tests.cases.store_writer import create as create_case

DAY = dt.date(2026, 11, 25)


def doc(number: str, state: str = "received") -> dict[str, Any]:
    return {"number": number, "state": state, "history": []}


def entry(case: dict[str, Any]) -> dict[str, Any] | None:
    return None if case["state"] in ("issued", "refused") else {
        "number": case["number"], "state": case["state"]}


def note(case: dict[str, Any]) -> dict[str, Any]:
    return {"action": "create", "kind": "case", "number": case["number"],
            "at": "2026-11-25T09:00:00"}


# --- the idempotency key, both stores ---------------------------------------------------


def test_a_create_with_a_key_seen_before_returns_that_case(make_store: MakeStore) -> None:
    store = make_store()
    first = store.create(DAY, doc, entry, note, key="req-1")
    store.update(first["number"], lambda c: {**c, "state": "accepted"}, entry)
    again = store.create(DAY, doc, entry, note, key="req-1")
    assert again["number"] == first["number"] and again["state"] == "accepted"
    other = store.create(DAY, doc, entry, note, key="req-2")
    plain = store.create(DAY, doc, entry, note)
    assert [other["number"], plain["number"]] == ["FK2026112500002", "FK2026112500003"]
    assert len(list(store.cases_since(DAY))) == 3
    assert [e["number"] for e in store.audit()] == [
        "FK2026112500001", "FK2026112500002", "FK2026112500003"]  # no entry for a repeat
    found = reopen(store).find_key("req-1")
    assert found is not None and found["number"] == first["number"]
    assert store.find_key("req-3") is None


def test_one_key_from_many_threads_at_once_makes_one_case(make_store: MakeStore) -> None:
    store = make_store()
    numbers: list[str] = []
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        numbers.append(reopen(store).create(DAY, doc, entry, note, key="same")["number"])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 8 and set(numbers) == {"FK2026112500001"}
    assert len(list(store.cases_since(DAY))) == 1


def test_a_key_survives_a_crash_after_the_case_write(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded store writes the key through its crash journal: a crash after the
    case write (before the key file) is completed by the next writer."""
    store = TinyCaseStore(tmp_path / "s", fsync=False)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr(TinyCaseStore, "_apply_key", crash)
    with pytest.raises(SystemExit):
        store.create(DAY, doc, entry, note, key="k")
    monkeypatch.undo()
    assert (tmp_path / "s" / "journal.json").exists()
    again = TinyCaseStore(tmp_path / "s", fsync=False).create(DAY, doc, entry, note, key="k")
    assert again["number"] == "FK2026112500001"
    assert len(list(store.cases_since(DAY))) == 1


# --- PostgreSQL: schema, errors ------------------------------------------------------------


def test_migrations_apply_once_in_order_even_when_two_run_at_once() -> None:
    from formkit.cases.pgstore import MIGRATIONS, schema_version, upgrade

    url = pg_schema_url()
    with pytest.raises(StoreError) as info:
        open_store(url)
    assert info.value.code == "schema-old" and "formkit db upgrade" in (info.value.hint or "")
    applied: list[list[str]] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        applied.append(upgrade(url))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(applied) == [[], ["0001_initial.sql", "0002_audit_lanes.sql"]]
    assert schema_version(url) == MIGRATIONS
    assert upgrade(url) == []
    open_store(url)  # now it opens


def test_a_schema_newer_than_the_code_is_refused() -> None:
    import psycopg

    url = new_pg_url()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'x')")
    with pytest.raises(StoreError) as info:
        open_store(url)
    assert info.value.code == "schema-newer"


@pytest.mark.parametrize(("url", "code"), [
    ("postgresql://formkit:formkit@127.0.0.1:1/formkit_test", "no-server"),
    ("postgresql://formkit:wrong-password@127.0.0.1/formkit_test", "auth-failed"),
    ("postgresql://formkit:formkit@127.0.0.1/no_such_db_here", "no-database"),
    ("postgresql://formkit:formkit@127.0.0.1:notaport/formkit_test", "bad-store-url"),
    ("postgresql://formkit:formkit@127.0.0.1/formkit_test?nonsense=1", "bad-store-url"),
    ("mysql://somewhere/db", "bad-store-url"),
])
def test_connection_problems_are_store_errors(url: str, code: str) -> None:
    if code != "bad-store-url":
        new_pg_url()  # skip (or fail under CI) without a server
    with pytest.raises(StoreError) as info:
        open_store(url)
    assert info.value.code == code, info.value
    assert "wrong-password" not in str(info.value)  # no password in a message


# --- PostgreSQL: the audit chain, partitions, the open-case table ---------------------------


def pg_store(prefix: str = "FK") -> Any:
    from formkit.cases.pgstore import PostgresCaseStore

    return PostgresCaseStore(new_pg_url(), prefix=prefix)


def sql(store: Any, text: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(store.url, autocommit=True) as conn:
        cur = conn.execute(text, params or None)
        return cur.fetchall() if cur.description else []


@pytest.mark.parametrize(("tamper", "line", "what"), [
    ("UPDATE audit SET line = replace(line, 'window-07', 'someone') WHERE seq = 2", 2,
     "edited"),
    ("DELETE FROM audit WHERE seq = 2", 3, "missing"),
    ("DELETE FROM audit WHERE seq = 4", 4, "missing"),  # the last: the head tells
    ("UPDATE audit SET line = 'garbage' WHERE seq = 3", 3, "garbled"),
])
def test_verify_finds_a_row_edited_or_deleted(tamper: str, line: int, what: str) -> None:
    store = pg_store()
    for i in range(4):
        store.append_audit({"at": f"2026-11-25T09:0{i}:00", "action": f"a{i}",
                            "actor": "window-07"})
    good = store.verify_audit()
    assert good["ok"] and good["entries"] == 4
    sql(store, tamper)
    broken = store.verify_audit()
    assert not broken["ok"]
    assert (broken["break"]["line"], broken["break"]["what"]) == (line, what), broken


def test_each_centre_has_its_own_numbers_and_chain() -> None:
    a = pg_store("FK")
    b = reopen_as(a, "XX01")
    for store in (a, b, a):
        store.create(DAY, doc, entry, note)
    assert [c["number"] for c in a.cases_since(DAY)] == ["FK2026112500001", "FK2026112500002"]
    assert [c["number"] for c in b.cases_since(DAY)] == ["XX012026112500001"]
    assert a.verify_audit()["entries"] == 2 and b.verify_audit()["entries"] == 1
    assert a.get("XX012026112500001") is None  # another centre's case


def reopen_as(store: Any, prefix: str) -> Any:
    from formkit.cases.pgstore import PostgresCaseStore

    return PostgresCaseStore(store.url, prefix=prefix)


def test_cases_are_partitioned_by_month_made_on_demand() -> None:
    store = pg_store()
    days = [dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2027, 1, 31)]
    threads = [threading.Thread(target=lambda d=d: reopen(store).create(d, doc, entry))
               for d in days for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    parts = [r[0] for r in sql(store, "SELECT c.relname FROM pg_inherits i JOIN pg_class c "
                                      "ON c.oid = i.inhrelid WHERE i.inhparent = "
                                      "'cases'::regclass ORDER BY 1")]
    assert parts == ["cases_y2026m11", "cases_y2026m12", "cases_y2027m01"]
    assert len(list(store.cases_since(dt.date(2026, 1, 1)))) == 9


def test_the_open_case_table_holds_open_cases_only() -> None:
    store = pg_store()
    numbers = [store.create(DAY, doc, entry)["number"] for _ in range(3)]
    store.update(numbers[1], lambda c: {**c, "state": "issued"}, entry)
    rows = sql(store, "SELECT number FROM open_cases ORDER BY number")
    assert [r[0] for r in rows] == [numbers[0], numbers[2]]
    # the monitor's read plans on the open-case table alone, never on the cases
    plan = "\n".join(r[0] for r in sql(store, "EXPLAIN SELECT summary FROM open_cases "
                                              "WHERE centre = 'FK' ORDER BY number"))
    assert "cases_y" not in plan
    sql(store, "DELETE FROM open_cases")
    counts = store.rebuild_index(entry)
    assert (counts["cases"], counts["open_cases"]) == (3, 2)
    assert [s["number"] for s in store.open_summaries()] == [numbers[0], numbers[2]]


def test_a_counter_behind_its_cases_never_overwrites_one() -> None:
    store = pg_store()
    made = [store.create(DAY, doc, entry) for _ in range(3)]
    sql(store, "UPDATE case_counters SET last = 1")  # a counter restored from a backup
    assert store.create(DAY, doc, entry)["number"] == "FK2026112500004"
    assert [store.get(c["number"]) for c in made] == made


def test_digests_follow_every_change() -> None:
    store = pg_store()
    for _ in range(2):
        store.create(DAY, doc, entry)
    store.create(DAY + dt.timedelta(days=1), doc, entry)
    calls: list[int] = []

    def count(cases: list[dict[str, Any]]) -> list[str]:
        calls.append(len(cases))
        return [c["state"] for c in cases]

    assert store.digests_since(DAY, "k", count) == [["received"] * 2, ["received"]]
    assert store.digests_since(DAY, "k", count) == [["received"] * 2, ["received"]]
    assert calls == [2, 1]  # the second call recomputed nothing
    store.update("FK2026112500002", lambda c: {**c, "state": "accepted"}, entry)
    assert store.digests_since(DAY, "k", count) == [["received", "accepted"], ["received"]]
    assert calls == [2, 1, 2]  # only the changed day


# --- formkit cases migrate ----------------------------------------------------------------


def filled_tiny(root: Path) -> TinyCaseStore:
    store = TinyCaseStore(root, fsync=False)
    for day in (dt.date(2026, 11, 23), dt.date(2026, 12, 2)):
        for _ in range(3):
            create_case(store, day, "window-1")
    number = next(iter(store.cases_since(DAY)))["number"]
    store.update(number, lambda c: {**c, "state": "issued"}, summary)
    store.put_version({"hash": "a" * 64, "code": "XX-NR-0001",
                       "published_at": "2026-11-01T09:00:00"})
    store.append_audit({"at": "2026-11-01T09:00:00", "action": "publish", "kind": "matter"})
    return store


def test_migrate_copies_cases_versions_and_the_audit_chain(tmp_path: Path) -> None:
    tiny = filled_tiny(tmp_path / "store")
    url = pg_schema_url()  # no schema yet: migrate applies the migrations
    report = migrate(str(tmp_path / "store"), url)
    chain = tiny.verify_audit()
    assert report == {"centre": "FK", "cases": 6, "open_cases": 5, "audit": 7, "versions": 1,
                      "head": chain["head"], "copied": True}
    pg = open_store(url)
    assert list(pg.cases_since(dt.date.min)) == list(tiny.cases_since(dt.date.min))
    assert list(pg.audit()) == list(tiny.audit())
    assert pg.open_summaries() == sorted(tiny.open_summaries(), key=lambda s: s["number"])
    assert pg.versions() == tiny.versions()
    # the chain goes on in the database
    pg.append_audit({"action": "after", "at": "2026-12-07T10:00:00"})
    assert pg.verify_audit()["entries"] == 8
    # a re-run of the same copy is reported done (before any new entry) ...
    url2 = pg_schema_url()
    migrate(str(tmp_path / "store"), url2)
    assert migrate(str(tmp_path / "store"), url2)["copied"] is False
    # ... and a target holding something else is refused, nothing copied
    with pytest.raises(StoreError) as info:
        migrate(str(tmp_path / "store"), url)
    assert info.value.code == "target-not-empty"


def test_migrate_refuses_a_folder_without_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        migrate(str(tmp_path / "none"), PG_URL)
    assert info.value.code == "no-store"


def test_open_store_picks_the_store_by_its_address(tmp_path: Path) -> None:
    assert isinstance(open_store(str(tmp_path / "s")), TinyCaseStore)
    with pytest.raises(StoreError) as info:
        open_store(str(tmp_path / "none"), create=False)
    assert info.value.code == "no-store"
    url = new_pg_url()
    from formkit.cases.pgstore import PostgresCaseStore

    found: CaseStore = open_store(url, prefix="XX01")
    assert isinstance(found, PostgresCaseStore) and found.prefix == "XX01"


# --- PostgreSQL: a detached month, errors of the database -----------------------------------

OCT = dt.date(2026, 10, 6)
ATTACH = ("ALTER TABLE cases ATTACH PARTITION cases_y2026m10 "
          "FOR VALUES FROM ('2026-10-01') TO ('2026-11-01')")


def test_a_detached_month_is_archived_for_reads_and_writes() -> None:
    store = pg_store()
    old = store.create(OCT, doc, entry, note)
    store.create(DAY, doc, entry, note)
    sql(store, "ALTER TABLE cases DETACH PARTITION cases_y2026m10")
    for who in (store, reopen(store)):  # the month known to this process, and not
        with pytest.raises(StoreError) as info:
            who.create(OCT, doc, entry, note)
        assert info.value.code == "month-archived", info.value
        assert "ATTACH PARTITION cases_y2026m10" in (info.value.hint or "")
        assert "io error: 2026年10月的案件已归档" in str(info.value)  # Chinese first
        with pytest.raises(StoreError) as info:
            who.get(old["number"])  # archived, not "no case"
        assert info.value.code == "month-archived"
        with pytest.raises(StoreError) as info:
            who.update(old["number"], lambda c: {**c, "state": "accepted"}, entry)
        assert info.value.code == "month-archived"
    # detached and renamed (or moved, dropped): its cases were numbered, so still refused
    sql(store, "ALTER TABLE cases_y2026m10 RENAME TO archive_2026m10")
    with pytest.raises(StoreError) as info:
        reopen(store).create(OCT, doc, entry, note)
    assert info.value.code == "month-archived" and "not in the database" in str(info.value)
    with pytest.raises(StoreError):
        store.get(old["number"])
    assert store.get("FK2026120100001") is None  # a month never used: just no case
    # nothing was written by the refused calls; re-attached, the month works again
    assert [a["number"] for a in store.audit()] == [old["number"], "FK2026112500001"]
    sql(store, "ALTER TABLE archive_2026m10 RENAME TO cases_y2026m10")
    sql(store, ATTACH)
    assert store.get(old["number"]) == old
    assert store.create(OCT, doc, entry, note)["number"] == "FK2026100600002"
    assert store.verify_audit()["ok"]


def test_an_import_into_a_detached_month_is_refused() -> None:
    store = pg_store()
    store.create(OCT, doc, entry)
    sql(store, "ALTER TABLE cases DETACH PARTITION cases_y2026m10")
    with pytest.raises(StoreError) as info:
        reopen(store).import_cases([doc("FK2026100700001")], entry)
    assert info.value.code == "month-archived"


@pytest.mark.parametrize("constraint", [
    "ALTER TABLE cases ADD CONSTRAINT one_a_day CHECK (seq < 2)",  # CheckViolation
    "CREATE UNIQUE INDEX one_open ON open_cases ((summary->>'state'))",  # UniqueViolation
])
def test_any_database_refusal_is_a_store_error_that_changed_nothing(constraint: str) -> None:
    store = pg_store()
    first = store.create(DAY, doc, entry, note)
    sql(store, constraint)
    with pytest.raises(StoreError) as info:
        store.create(DAY, doc, entry, note)
    error = info.value
    assert error.code == "db-refused" and "no case was created" in str(error), error
    assert "internal" not in str(error) and "Traceback" not in str(error)
    assert [c["number"] for c in store.cases_since(DAY)] == [first["number"]]
    assert len(list(store.audit())) == 1
    assert store.verify_audit()["ok"]


def test_an_update_the_database_refuses_leaves_the_case_as_it_was() -> None:
    store = pg_store()
    case = store.create(DAY, doc, entry, note)
    sql(store, "ALTER TABLE open_cases ADD CONSTRAINT no_accepted "
               "CHECK (summary->>'state' <> 'accepted')")
    with pytest.raises(StoreError) as info:
        store.update(case["number"], lambda c: {**c, "state": "accepted"}, entry, note)
    assert info.value.code == "db-refused" and "nothing was changed" in str(info.value)
    assert store.get(case["number"]) == case and len(list(store.audit())) == 1


@pytest.mark.parametrize(("where", "shown"), [
    ("postgresql://formkit:s3cret@db.local:5432/cases", "postgresql://formkit:***@db.local:5432/cases"),
    ("postgres://u:p@ss/w@h/db?sslmode=require", "postgres://u:***@h/db?sslmode=require"),
    ("postgresql://h/db?user=u&password=s3cret", "postgresql://h/db?user=u&password=***"),
    ("postgresql://formkit@127.0.0.1/formkit", "postgresql://formkit@127.0.0.1/formkit"),
    ("var/store", "var/store"),
    ("/srv/formkit/store:old@2026", "/srv/formkit/store:old@2026"),
])
def test_printable_hides_the_password_and_keeps_a_folder(where: str, shown: str) -> None:
    from formkit.cases.stores import printable

    assert printable(where) == shown
    with pytest.raises(StoreError) as info:
        open_store("mysql://root:s3cret@h/db")
    assert "s3cret" not in str(info.value)


# --- PostgreSQL: audit lanes, the open-summary cache, schema 1 -> 2 ------------------------


def test_entries_go_to_their_case_lane_and_each_lane_verifies() -> None:
    from formkit.cases.pgstore import LANES, lane_of

    store = pg_store()
    numbers = [store.create(DAY, doc, entry, note)["number"] for _ in range(24)]
    for number in numbers:
        store.update(number, lambda c: {**c, "state": "accepted"}, entry,
                     lambda c: {"action": "accept", "number": c["number"],
                                "at": "2026-11-25T10:00:00"})
    store.append_audit({"action": "publish", "at": "2026-11-25T11:00:00"})
    lanes = {lane_of(n) for n in numbers}
    assert len(lanes) > 3 and all(0 <= lane < LANES for lane in lanes)
    rows = sql(store, "SELECT number, lane FROM audit WHERE number IS NOT NULL")
    assert all(lane == lane_of(number) for number, lane in rows)
    good = store.verify_audit()
    assert good["ok"] and good["entries"] == 49 and good["lanes"] == len(lanes | {0})
    # the trail reads in the order of its appends, across the lanes
    got = [(e.get("number"), e["action"]) for e in store.audit()]
    assert got == [(n, "create") for n in numbers] + [(n, "accept") for n in numbers] \
        + [(None, "publish")]
    # a break in one lane names the lane and its place in it
    victim = next(n for n in numbers if lane_of(n) != 0)
    lane = lane_of(victim)
    sql(store, "UPDATE audit SET line = replace(line, '\"accept\"', '\"refuse\"') "
               "WHERE number = %s AND line LIKE %s", victim, '%"accept"%')
    broken = store.verify_audit()
    assert not broken["ok"] and broken["break"]["file"] == f"audit[FK/{lane}]"
    assert broken["break"]["what"] == "edited"


def test_a_lane_whose_last_entry_or_head_row_is_removed_is_reported() -> None:
    from formkit.cases.pgstore import lane_of

    store = pg_store()
    numbers = [store.create(DAY, doc, entry, note)["number"] for _ in range(6)]
    lane = next(lane_of(n) for n in numbers if lane_of(n))
    sql(store, "DELETE FROM audit WHERE lane = %s AND seq = (SELECT max(seq) FROM audit "
               "WHERE lane = %s)", lane, lane)
    broken = store.verify_audit()
    assert not broken["ok"] and broken["break"]["what"] == "missing"
    store2 = pg_store()
    store2.create(DAY, doc, entry, note)
    sql(store2, "DELETE FROM audit_heads")
    assert store2.verify_audit()["break"]["what"] == "missing"


def test_writers_on_many_cases_keep_every_lane_whole() -> None:
    store = pg_store()
    numbers = [store.create(DAY, doc, entry)["number"] for _ in range(16)]
    errors: list[BaseException] = []

    def work(part: list[str]) -> None:
        mine = reopen(store)
        try:
            for _ in range(5):
                for number in part:
                    mine.update(number, lambda c: {**c, "history": [*c["history"], 1]},
                                entry, lambda c: {"action": "note", "number": c["number"]})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(numbers[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = store.verify_audit()
    assert report["ok"] and report["entries"] == 80, report


def test_open_summaries_see_every_change_made_by_another_store_object() -> None:
    store = pg_store()
    other = reopen(store)
    numbers = [store.create(DAY, doc, entry)["number"] for _ in range(3)]
    assert [s["number"] for s in other.open_summaries()] == numbers
    other.open_summaries()[0]["state"] = "scribbled"  # the caller's own copy
    store.update(numbers[0], lambda c: {**c, "state": "accepted"}, entry)
    store.update(numbers[1], lambda c: {**c, "state": "issued"}, entry)
    new = store.create(DAY, doc, entry)["number"]
    got = {s["number"]: s["state"] for s in other.open_summaries()}
    assert got == {numbers[0]: "accepted", numbers[2]: "received", new: "received"}
    # a write that took its revision before another's but committed after it
    import psycopg

    with psycopg.connect(store.url) as slow:
        slow.execute("UPDATE open_cases SET summary = %s, rev = nextval('open_revs') "
                     "WHERE number = %s",
                     (json.dumps({"number": numbers[2], "state": "slow"}), numbers[2]))
        store.update(new, lambda c: {**c, "state": "accepted"}, entry)
        assert {s["number"]: s["state"] for s in other.open_summaries()}[new] == "accepted"
        slow.commit()
    assert {s["number"]: s["state"] for s in other.open_summaries()}[numbers[2]] == "slow"


def test_a_schema_1_store_upgrades_with_its_trail_whole() -> None:
    import psycopg

    from formkit.cases.pgstore import migrations

    url = pg_schema_url()
    first = migrations()[0]
    with psycopg.connect(url, autocommit=True) as conn:  # schema 1, by hand
        conn.execute("CREATE TABLE schema_migrations (version integer PRIMARY KEY, "
                     "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        conn.execute(first[2])
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (1, %s)",
                     (first[1],))
    from formkit.cases.files import seal

    prev = ""
    with psycopg.connect(url, autocommit=True) as conn:
        for seq in (1, 2, 3):
            line, prev = seal({"action": f"a{seq}", "number": "FK2026112500001",
                               "at": f"2026-11-25T09:0{seq}:00"}, prev, [])
            conn.execute("INSERT INTO audit (centre, seq, at, number, line) VALUES "
                         "('FK', %s, '2026', 'FK2026112500001', %s)", (seq, line))
        conn.execute("INSERT INTO audit_heads (centre, seq, hash) VALUES ('FK', 3, %s)",
                     (prev,))
    from formkit.cases.pgstore import upgrade

    assert upgrade(url) == ["0002_audit_lanes.sql"]
    store = open_store(url)
    store.append_audit({"action": "a4", "at": "2026-11-25T09:04:00"})  # lane 0 goes on
    report = store.verify_audit()
    assert report["ok"] and report["entries"] == 4 and report["head"] != prev
    assert [e["action"] for e in store.audit()] == ["a1", "a2", "a3", "a4"]
