"""Publications of a matter (formkit.cases.versions): an event per publication in the
audit trail, numbered per matter, while each content is stored once by its hash. Both
stores (``make_store``, conftest.py)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from formkit.cases.versions import publications, publish_version, snapshot_for_case
from formkit.catalog import open_catalog
from tests.cases.conftest import MakeStore

ROOT = Path(__file__).resolve().parents[2]
IBR = "XX-MS-0001"


def catalog(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path / "definitions", \
        tmp_path / "definitions" / "market_supervision" / "individual_business_registration.yaml"


def test_each_publication_is_numbered_and_the_same_content_can_come_back(
        tmp_path: Path, make_store: MakeStore) -> None:
    root, file = catalog(tmp_path)
    store = make_store()
    original = file.read_text(encoding="utf-8")

    def publish(note: str, minute: int) -> bool:
        _, new = publish_version(store, open_catalog(root), IBR, actor="ms_editor", note=note,
                                 now=dt.datetime(2026, 11, 25, 9, minute))
        return new

    assert publish("v1", 0)
    assert not publish("the same again", 1)  # nothing new: no publication
    file.write_text(original.replace("max_visits: 1", "max_visits: 0"), encoding="utf-8")
    assert publish("v2", 2)
    file.write_text(original, encoding="utf-8")
    assert publish("v1 again", 3)  # stored once, published twice

    found = publications(store, IBR)
    assert [(p.number, p.note) for p in found] == [(1, "v1"), (2, "v2"), (3, "v1 again")]
    assert found[2].hash == found[0].hash and found[2].previous == found[1].hash
    assert found[0].previous is None and found[2].at == "2026-11-25T09:03:00"
    assert len(store.versions(IBR)) == 2
    assert publications(store, "XX-PS-0001") == []


def test_content_first_taken_by_a_case_is_still_published(tmp_path: Path,
                                                          make_store: MakeStore) -> None:
    root, _ = catalog(tmp_path)
    store = make_store()
    opened = open_catalog(root)
    digest = snapshot_for_case(store, opened, IBR)  # a case was received under the file
    snapshot, new = publish_version(store, opened, IBR, actor="ms_editor", note="首次发布")
    assert new and snapshot["hash"] == digest
    assert [(p.hash, p.actor, p.note) for p in publications(store, IBR)] == [
        (digest, "ms_editor", "首次发布")]


def test_the_digest_does_not_depend_on_where_the_catalog_sits(tmp_path: Path) -> None:
    from formkit.cases.versions import matter_snapshot

    one, _ = catalog(tmp_path / "one")
    two, _ = catalog(tmp_path / "deeper" / "two")
    for code in (IBR, "XX-MS-0003"):
        a = matter_snapshot(open_catalog(one), code)
        b = matter_snapshot(open_catalog(two), code)
        assert a["hash"] == b["hash"], code
        assert a["file"] != b["file"]  # the stored snapshot keeps the file it was read from
