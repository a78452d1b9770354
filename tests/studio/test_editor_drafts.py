"""Issue #16 item 1, the editor by AppTest: a draft records the version it began from
when it is first saved, and keeps it; so publishing it over another editor's
publication is stopped however close together the two were, and a YAML edit typed over
a version published over since is stopped too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

import formkit.authoring.drafts as drafts_module
import formkit.cases.versions as versions_module
from formkit.authoring.drafts import DraftBase, DraftStore
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import matter_snapshot, publications
from formkit.catalog import open_catalog
from tests.studio.authoring import IBR, go, matter_file, on_matter

SECOND = "2026-11-25T10:00:00"


class _Frozen(dt.datetime):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _Frozen:
        return cls.fromisoformat(SECOND).replace(tzinfo=tz)


@pytest.fixture()
def one_second(monkeypatch: pytest.MonkeyPatch) -> str:
    """Drafts begin and versions are published all in one second (``SECOND``)."""
    clock = SimpleNamespace(datetime=_Frozen)
    monkeypatch.setattr(drafts_module, "dt", clock)
    monkeypatch.setattr(versions_module, "dt", clock)
    return SECOND


def base_of(workspace: Path, username: str) -> DraftBase:
    base = DraftStore(workspace / "var" / "drafts").base(username, IBR)
    assert base is not None
    return base


def published(workspace: Path) -> list[tuple[int, str, str]]:
    store = TinyCaseStore(workspace / "var" / "store", prefix="FK")
    return [(p.number, p.actor, p.at) for p in publications(store, IBR)]


def publish(app: AppTest, note: str) -> None:
    go(app, "publish.py")
    app.text_input(key="publish_note").input(note)
    app.button(key="publish_button").click().run()
    assert not app.exception, app.exception


def test_a_draft_begun_in_the_editor_records_its_base_and_keeps_it(
        workspace: Path, signed_in: Callable[..., AppTest], one_second: str) -> None:
    original = matter_file(workspace).read_text(encoding="utf-8")
    version = matter_snapshot(open_catalog(workspace / "definitions"), IBR)["hash"]
    mine = on_matter(signed_in, "ms_editor", "editor.py")
    mine.text_input(key="field_label_zh").input("申请人身份").run()
    assert not mine.exception, mine.exception
    base = base_of(workspace, "ms_editor")
    assert (base.known, base.text, base.hash, base.started) == (
        True, original, version, one_second)

    # The admin publishes max_visits: 0 in that same second.
    theirs = on_matter(signed_in, "admin", "editor.py")
    theirs.number_input(key="basic_max_visits").set_value(0).run()
    publish(theirs, "最多跑0次")
    assert published(workspace) == [(1, "admin", one_second)]

    # A later save keeps the base: the draft still began before the admin's version.
    go(mine, "editor.py")
    mine.text_input(key="field_label_en").input("Applicant's role").run()
    assert base_of(workspace, "ms_editor") == base
    publish(mine, "改标签")
    assert "发布被拒绝 Refused：此草稿开始编辑后，admin 于" in mine.error[-1].value
    assert published(workspace) == [(1, "admin", one_second)]
    assert "max_visits: 0" in matter_file(workspace).read_text(encoding="utf-8")


def test_a_yaml_edit_typed_over_a_replaced_version_is_stopped(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    original = matter_file(workspace).read_text(encoding="utf-8")
    mine = on_matter(signed_in, "ms_editor", "editor.py")  # shows the YAML of v0
    theirs = on_matter(signed_in, "admin", "editor.py")
    theirs.number_input(key="basic_max_visits").set_value(0).run()
    publish(theirs, "最多跑0次")

    # ms_editor's page still shows v0: the whole text typed over it is saved as the draft.
    source = mine.text_area(key="source_text").value
    assert source == original
    mine.text_area(key="source_text").input(source.replace("{zh: 申请方式,", "{zh: 申请人身份,"))
    mine.run()
    assert not mine.exception, mine.exception
    base = base_of(workspace, "ms_editor")
    assert base.known and base.text == original  # what was shown, not v1
    publish(mine, "改标签")
    assert "发布被拒绝 Refused：此草稿开始编辑后，admin 于" in mine.error[-1].value
    assert "max_visits: 0" in matter_file(workspace).read_text(encoding="utf-8")
    assert len(published(workspace)) == 1
