"""Publishing without Streamlit (issue 16): a draft records where it began and is stopped
when the matter changed since; failing examples block unless the admin overrides them
with a reason; a rollback republishes an earlier version as a new one."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from formkit.authoring.diff import merge_texts
from formkit.authoring.drafts import (
    DraftBase,
    DraftStore,
    current_base,
    find_conflict,
    may_override_examples,
    publish_draft,
    roll_back,
)
from formkit.authoring.steps import add_field, set_in
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import publications, snapshot_for_case
from formkit.catalog import open_catalog
from formkit.definitions.users import User
from formkit.errors import AccessDenied, FormkitError

ROOT = Path(__file__).resolve().parents[2]
IBR = "XX-MS-0001"
FILE = Path("market_supervision") / "individual_business_registration.yaml"


def person(username: str, role: str = "editor",
           department: str | None = "market_supervision") -> User:
    return User(username=username, name={"zh": username}, role=role,
                department=None if role == "admin" else department, password="x")


ADMIN, MS = person("admin", "admin"), person("ms_editor")


class Desk:
    """A copy of the sample catalog with its store and drafts."""

    def __init__(self, tmp: Path) -> None:
        shutil.copytree(ROOT / "definitions", tmp / "definitions")
        shutil.copytree(ROOT / "rules", tmp / "rules")
        self.root = tmp / "definitions"
        self.file = self.root / FILE
        self.store = TinyCaseStore(tmp / "var" / "store", prefix="FK")
        self.drafts = DraftStore(tmp / "var" / "drafts")

    def text(self) -> str:
        return self.file.read_text(encoding="utf-8")

    def base(self) -> DraftBase:
        return current_base(open_catalog(self.root), IBR)

    def publish(self, user: User, text: str, note: str = "修改 change", *,
                base: DraftBase | None = None, override: str | None = None) -> int:
        done = publish_draft(self.root, self.file, text, self.store, user=user, note=note,
                             base=base or DraftBase(self.text()), override=override)
        return done.number

    def audit(self) -> list[dict[str, object]]:
        return [a for a in self.store.audit() if a.get("kind") == "publish"]


@pytest.fixture()
def desk(tmp_path: Path) -> Desk:
    return Desk(tmp_path)


@contextmanager
def refused(code: str) -> Iterator[pytest.ExceptionInfo[FormkitError]]:
    """``with refused("stale-draft"):`` a FormkitError with that code."""
    with pytest.raises(FormkitError) as info:
        yield info
    assert info.value.code == code, (info.value.code, info.value.message)


# ---- two editors, one matter


def test_a_draft_begun_before_anothers_publication_is_stopped(desk: Desk) -> None:
    # The admin opens a draft; ms_editor then publishes max_visits: 0.
    original = desk.text()
    desk.drafts.save("admin", IBR, set_in(original, ("time_limit", "committed_days"), 1),
                     base=desk.base())
    assert desk.publish(MS, set_in(original, ("max_visits",), 0), "最多跑0次") == 1
    base = desk.drafts.base("admin", IBR)
    assert base is not None and base.text == original

    conflict = find_conflict(desk.store, desk.file, IBR, base, "admin")
    assert conflict is not None and conflict.base == original
    assert [(p.number, p.actor) for p in conflict.newer] == [(1, "ms_editor")]
    admin_draft = set_in(original, ("form", 0, "label", "zh"), "申请人身份")  # theirs
    with refused("stale-draft") as stopped:
        desk.publish(ADMIN, admin_draft, "改标签", base=base)
    assert "ms_editor 于" in stopped.value.message and "第 1 版" in stopped.value.message
    assert "published as v1 by ms_editor" in stopped.value.message
    assert "max_visits: 0" in desk.text()  # the published change stands
    assert len(desk.audit()) == 1

    # Merged onto the current version, the admin's change goes out and max_visits stays 0.
    merged = merge_texts(base.text, desk.text(), admin_draft)
    assert merged.conflicts == []
    assert desk.publish(ADMIN, merged.text, "改标签", base=desk.base()) == 2
    assert "max_visits: 0" in desk.text() and "申请人身份" in desk.text()


def test_a_draft_saved_without_its_base_is_dated_and_still_stopped(desk: Desk) -> None:
    # A draft saved without a base (from before bases were kept, or by another tool):
    # the draft's start is what is known.
    original = desk.text()
    desk.drafts.save("admin", IBR, set_in(original, ("fee",), 5))
    base = desk.drafts.base("admin", IBR)
    assert base is not None and not base.known
    assert find_conflict(desk.store, desk.file, IBR, base, "admin") is None  # nothing since

    desk.publish(MS, set_in(original, ("max_visits",), 0))  # within the same second: after
    conflict = find_conflict(desk.store, desk.file, IBR, base, "admin")
    assert conflict is not None and conflict.base == original  # what ms_editor replaced
    with refused("stale-draft"):
        desk.publish(ADMIN, set_in(original, ("fee",), 5), base=base)
    assert "max_visits: 0" in desk.text()


def test_a_draft_begun_after_ones_own_publication_is_not_stale(desk: Desk) -> None:
    desk.publish(MS, set_in(desk.text(), ("max_visits",), 0))
    desk.drafts.save("ms_editor", IBR, set_in(desk.text(), ("fee",), 5))  # same second
    base = desk.drafts.base("ms_editor", IBR)
    assert base is not None
    assert find_conflict(desk.store, desk.file, IBR, base, "ms_editor") is None
    later = DraftBase(None, started=(dt.datetime.now() - dt.timedelta(minutes=1))
                      .isoformat(timespec="seconds"), known=False)
    assert find_conflict(desk.store, desk.file, IBR, later, "ms_editor") is not None


def test_a_change_of_the_file_outside_the_studio_also_stops_a_draft(desk: Desk) -> None:
    base = desk.base()
    desk.file.write_text(set_in(desk.text(), ("max_visits",), 0), encoding="utf-8")
    conflict = find_conflict(desk.store, desk.file, IBR, base, "admin")
    assert conflict is not None and conflict.newer == []
    with refused("stale-draft") as stopped:
        desk.publish(ADMIN, set_in(base.text or "", ("fee",), 5), base=base)
    assert "changed after this draft began" in \
        stopped.value.message


def test_two_publications_at_once_let_one_through(desk: Desk) -> None:
    original, base = desk.text(), desk.base()
    outcomes: list[str] = []

    def publish(user: User, text: str) -> None:
        try:
            desk.publish(user, text, base=base)
            outcomes.append("published")
        except FormkitError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=publish, args=(MS, set_in(original, ("max_visits",), 0))),
               threading.Thread(target=publish, args=(ADMIN, set_in(original, ("fee",), 5)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["published", "stale-draft"]
    assert len(desk.audit()) == 1


def test_a_new_matter_published_by_someone_else_meanwhile_stops_the_second(
        desk: Desk) -> None:
    text = desk.text().replace(IBR, "XX-MS-0099").replace("个体工商户设立登记", "新事项")
    file = desk.root / "market_supervision" / "xx-ms-0099.yaml"
    base = DraftBase(None)  # the matter did not exist when either began
    publish_draft(desk.root, file, text, desk.store, user=MS, note="新建", base=base)
    with refused("stale-draft"):
        publish_draft(desk.root, file, text.replace("fee: 0", "fee: 5"), desk.store,
                      user=ADMIN, note="新建", base=base)


# ---- the draft store keeps the base


def test_a_draft_keeps_the_base_it_began_from_until_given_another(tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path)
    began = DraftBase("zero", "h0", started="2026-11-25T09:00:00")
    drafts.save("admin", IBR, "one", base=began)
    drafts.save("admin", IBR, "two")  # a later edit keeps the base
    assert drafts.base("admin", IBR) == began
    merged = DraftBase("two", "h2", started="2026-11-25T10:00:00")
    drafts.save("admin", IBR, "three", base=merged)  # merged onto a newer version
    assert drafts.base("admin", IBR) == merged and drafts.load("admin", IBR) == "three"
    assert drafts.keys("admin") == [IBR]
    drafts.discard("admin", IBR)
    assert drafts.base("admin", IBR) is None and drafts.keys("admin") == []
    assert list((tmp_path / "admin").iterdir()) == []


def test_a_draft_from_before_bases_were_kept_counts_from_its_last_save(tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path)
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / f"{IBR}.yaml").write_text("old", encoding="utf-8")
    os.utime(tmp_path / "admin" / f"{IBR}.yaml", (1_790_000_000, 1_790_000_000))
    base = drafts.base("admin", IBR)
    assert base is not None and not base.known
    assert base.started == dt.datetime.fromtimestamp(1_790_000_000).isoformat()
    drafts.save("admin", IBR, "newer")  # its next save keeps that start
    assert drafts.base("admin", IBR) == base


# ---- examples


def test_failing_examples_block_publishing(desk: Desk) -> None:
    broken = set_in(desk.text(), ("time_limit", "committed_days"), 2)  # deadlines move
    with refused("examples-failing") as stopped:
        desk.publish(MS, broken)
    assert stopped.value.message == \
        "XX-MS-0001 的 7 个示例中有 3 个未通过: 3 of 7 examples of XX-MS-0001 fail"
    assert desk.audit() == [] and "committed_days: 1" in desk.text()


@pytest.mark.parametrize(("user", "reason", "code"), [
    (MS, "赶时间", "override-refused"),  # an editor of the department may not wave it through
    (person("ps_editor", department="public_security"), "x", "override-refused"),
    (ADMIN, "   ", "no-override-reason"),  # the admin must say why
])
def test_an_override_needs_the_admin_and_a_reason(desk: Desk, user: User, reason: str,
                                                  code: str) -> None:
    with refused(code) as stopped:
        desk.publish(user, set_in(desk.text(), ("time_limit", "committed_days"), 2),
                     override=reason)
    assert isinstance(stopped.value, AccessDenied) == (code == "override-refused")
    assert desk.audit() == []


def test_the_admins_override_goes_into_the_audit_trail(desk: Desk) -> None:
    assert may_override_examples(ADMIN) and not may_override_examples(MS)
    reason = "国务院通知要求11月起承诺时限改为2日，示例随后更新"
    desk.publish(ADMIN, set_in(desk.text(), ("time_limit", "committed_days"), 2),
                 "承诺时限改为2日", override=reason)
    [entry] = desk.audit()
    override = entry["override"]
    assert isinstance(override, dict)
    assert (override["reason"], override["failed"], override["total"]) == (reason, 3, 7)
    assert len(override["examples"]) == 3
    assert entry["actor"] == "admin"
    [publication] = publications(desk.store, IBR)
    assert publication.override == override


def test_passing_examples_record_no_override(desk: Desk) -> None:
    desk.publish(ADMIN, set_in(desk.text(), ("max_visits",), 0), override="不需要")
    assert "override" not in desk.audit()[0]


# ---- rollback


def test_a_rollback_republishes_an_earlier_version_as_a_new_one(desk: Desk) -> None:
    v1_text = desk.text()
    desk.publish(MS, v1_text, "首次发布 the file as it is")
    desk.publish(MS, set_in(v1_text, ("max_visits",), 0), "最多跑0次")
    first, second = publications(desk.store, IBR)
    assert first.hash != second.hash

    done = roll_back(desk.root, desk.store, IBR, first.hash, user=MS,
                     note="恢复：0次跑动尚未获批", base=desk.base())
    assert (done.number, done.hash, done.rollback_of) == (3, first.hash, first.hash)
    assert desk.text() == v1_text
    entry = desk.audit()[-1]
    assert (entry["rollback_of"], entry["hash"], entry["previous"], entry["note"]) == (
        first.hash, first.hash, second.hash, "恢复：0次跑动尚未获批")
    assert [p.number for p in publications(desk.store, IBR)] == [1, 2, 3]


def test_a_rollback_is_refused_for_a_version_of_no_publication_or_the_current_one(
        desk: Desk) -> None:
    opened = open_catalog(desk.root)
    case_version = snapshot_for_case(desk.store, opened, IBR)  # stored, never published
    with refused("unknown-version"):
        roll_back(desk.root, desk.store, IBR, case_version, user=MS, note="x",
                  base=desk.base())
    desk.publish(MS, desk.text(), "v1")
    [v1] = publications(desk.store, IBR)
    with refused("no-change"):
        roll_back(desk.root, desk.store, IBR, v1.hash, user=MS, note="x", base=desk.base())


def test_a_rollback_over_a_version_published_meanwhile_is_stopped(desk: Desk) -> None:
    desk.publish(MS, desk.text(), "v1")
    seen = desk.base()
    [v1] = publications(desk.store, IBR)
    desk.publish(MS, set_in(desk.text(), ("max_visits",), 0), "v2")
    desk.publish(ADMIN, set_in(desk.text(), ("fee",), 5), "v3", base=desk.base())
    with refused("stale-draft"):  # the history showed v1 current... two versions ago
        roll_back(desk.root, desk.store, IBR, v1.hash, user=ADMIN, note="x", base=seen)


def test_publishing_the_current_version_again_is_refused(desk: Desk) -> None:
    desk.publish(MS, desk.text(), "首次发布")
    with refused("no-change"):
        desk.publish(MS, desk.text(), "again")
    assert len(desk.audit()) == 1


def test_a_field_with_the_stand_in_label_is_not_published(desk: Desk) -> None:
    # a new field's label (新字段) would reach the window's form: publishing stops
    text, path = add_field(desk.text(), "business_scope")
    with refused("stand-in-label") as stopped:
        desk.publish(MS, text, base=desk.base())
    assert path in stopped.value.message and "新字段" in stopped.value.message
    assert desk.audit() == [] and desk.text() != text
