"""发布 Publish: check the whole catalog with the draft, see what changed, publish.

The diff is ``diff_matters`` against the version as it stands; publishing is
``publish_draft``, which refuses a catalog with errors, a draft begun before the
matter changed (``find_conflict``: the three-way difference and the merge are
``three_way`` and ``merge_texts``) and failing examples unless the admin writes a
reason; the history is ``publications``, and a rollback is ``roll_back``; the
impact report is ``impact_of``. Every label of this page is here. A text of the
definition, a note, a name or an error goes through ``plain`` wherever Streamlit reads
Markdown (alerts, captions, radio labels and options): shown as typed.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from formkit_studio.common import catalog, catalog_dir, drafts, store, with_hint
from formkit_studio.editor_widgets import (
    MATTER,
    Work,
    discard_draft,
    flash,
    guide_link,
    open_work,
    show_errors,
    show_flash,
)
from formkit_studio.labels import change_rows
from formkit_studio.safe_text import plain

from formkit.authoring.diff import (
    Change,
    Side,
    ThreeWayChange,
    diff_matters,
    merge_texts,
    three_way,
)
from formkit.authoring.drafts import (
    Conflict,
    DraftBase,
    check_draft,
    current_base,
    find_conflict,
    may_override_examples,
    publish_draft,
    roll_back,
)
from formkit.cases.service import CaseService
from formkit.cases.versions import Publication, impact_of, publications
from formkit.catalog import catalog_signature
from formkit.definitions.loader import load_matter_text
from formkit.definitions.model import Matter
from formkit.errors import FormkitError, FormkitErrors
from formkit.intake.examples import ExamplesReport, run_examples

_RESET = "_publish_reset"
_SIDES = {"theirs": "对方 Theirs", "mine": "我的 Mine", "same": "双方相同 Both, alike",
          "both": "⚠️ 双方不同 Both, differently"}


def _refused(exc: FormkitError) -> str:
    """Why publishing was refused, as Markdown (the message and hint escaped)."""
    return f"发布被拒绝 Refused：{plain(with_hint(exc))}"


def _when(at: str) -> str:
    return at[:16].replace("T", " ")


def _label(p: Publication) -> str:
    """A publication in one line, as typed (for selectboxes; ``plain`` it for Markdown)."""
    return f"v{p.number} · {_when(p.at)} · {p.hash[:10]} · {p.actor}"


def _matter(text: str | None, file: Path) -> Matter | None:
    if text is None:
        return None
    try:
        return load_matter_text(text, str(file))[0]
    except FormkitError:
        return None


def _base_of(work: Work) -> DraftBase:
    """The version the working text began from (the file itself when there is no draft)."""
    base = drafts().base(work.user.username, work.code) if work.from_draft else None
    return base or DraftBase(work.text)


def _began(work: Work, base: DraftBase, published: list[Publication]) -> None:
    if not work.from_draft:
        st.caption("没有草稿：将发布目录中的文件 No draft: publishing records the file as it is")
        return
    seen = [p for p in published if base.known and p.hash == base.hash]
    if seen:
        where = f"版本 version {plain(_label(seen[-1]))}"
    elif base.known:
        where = "新事项 a new matter" if base.text is None else \
            "目录中未发布的文件 the unpublished file in the catalog"
    else:
        st.caption(f"此草稿开始于 {_when(base.started)}，基于当时的版本 This draft began at "
                   f"{_when(base.started)}, from the version of that time")
        return
    st.caption(f"此草稿始于 This draft began from：{where}")


# ---- the matter changed since the draft began


def _side_value(change: Change | None, base: str) -> str:
    if change is None:
        return base
    return {"added": "（新增 added）", "removed": "（删除 removed）"}.get(change.what,
                                                                      change.after)


def _three_way_rows(rows: list[ThreeWayChange]) -> list[dict[str, str]]:
    out = []
    for r in rows:
        section = change_rows([Change(section=r.section, item="", what="changed")])[0]
        out.append({"部分 Section": section["部分 Section"], "项目 Item": r.item,
                    "属性 Attribute": r.attr, "起点 Base": r.base,
                    "已发布 Published": _side_value(r.theirs, r.base),
                    "我的草稿 Mine": _side_value(r.mine, r.base),
                    "谁改的 Changed by": _SIDES[r.side]})
    return out


def _conflict(work: Work, conflict: Conflict) -> None:
    st.subheader("⛔ 事项已有新版本 The matter changed since this draft began")
    if conflict.newer:
        last = conflict.newer[-1]
        actor = plain(last.actor)
        st.error(f"此草稿开始编辑后，{actor} 于 {_when(last.at)} 发布了第 {last.number} 版"
                 f"（{plain(last.note)}）。直接发布会撤销其修改，因此不能发布；请先合并，或放弃草稿。"
                 f" {actor} published v{last.number} after this draft began: publishing "
                 "it as it is would undo that change. Merge it first, or discard it.")
    else:
        st.error("此草稿开始编辑后，目录中的文件已被修改。请先合并，或放弃草稿。 The file changed "
                 "after this draft began: merge first, or discard the draft.")
    if conflict.current is None:
        st.warning("此事项已不在目录中 The matter is no longer in the catalog")
        _discard(work)
        return
    base, theirs = _matter(conflict.base, work.file), _matter(conflict.current, work.file)
    if base is not None and theirs is not None and work.check.matter is not None:
        st.caption("三方对比 Three ways：起点 = 草稿开始时的版本 the version the draft began "
                   "from；已发布 = 现在的版本 the version now；我的草稿 = your draft")
        st.dataframe(_three_way_rows(three_way(base, theirs, work.check.matter)),
                     hide_index=True, width="stretch", key="pub_three_way")
    elif base is None:
        st.caption("草稿开始时还没有此事项：对方已先创建 The matter did not exist when the draft "
                   "began: someone else created it")
    choices: dict[str, Side] = {}
    merged = merge_texts(conflict.base, conflict.current, work.text)
    if merged.conflicts:
        st.markdown(f"**{len(merged.conflicts)} 处双方改得不同，请逐一选择 places both changed "
                    "differently: choose for each**")
    for i, c in enumerate(merged.conflicts):
        # A radio's label and options are Markdown: the YAML in them is text.
        where = plain(c.path) or "整个事项 the whole matter"
        options: list[Side] = ["theirs", "mine"]
        shown = {"theirs": f"保留已发布的 Keep the published：{plain(_short(c.theirs))}",
                 "mine": f"用我的 Use mine：{plain(_short(c.mine))}"}
        choices[c.path] = st.radio(f"{where}（起点 base：{plain(_short(c.base))}）", options,
                                   key=f"merge_pick_{i}", format_func=shown.__getitem__)
    row = st.container(horizontal=True)
    if row.button("🔀 合并到当前版本 Merge onto the current version", key="merge_button",
                  type="primary"):
        text = merge_texts(conflict.base, conflict.current, work.text, choices).text
        now = current_base(catalog(), work.code)
        drafts().save(work.user.username, work.code, text,
                      base=now if now.text == conflict.current else DraftBase(conflict.current))
        st.session_state.pop("_bound", None)
        flash("已合并：草稿现在基于当前版本，请检查后发布 Merged: the draft now builds on the "
              "current version; check it, then publish")
        st.rerun()
    with row:
        _discard(work)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "……"


def _discard(work: Work) -> None:
    st.button("🗑️ 放弃草稿 Discard my draft", key="conflict_discard", on_click=discard_draft,
              args=(work.user.username, work.code))


# ---- the draft against the version as it stands


def _show_diff(old: Matter | None, new: Matter | None, key: str) -> None:
    if new is None:
        st.warning("草稿无法加载，无法比较 The draft does not load: nothing to compare")
        return
    if old is None:
        st.info("这是一个新事项，全部内容均为新增 A new matter: everything is added")
        return
    rows = change_rows(diff_matters(old, new))
    if not rows:
        st.info("没有变化 No change")
    else:
        st.dataframe(rows, hide_index=True, width="stretch", key=key)


def _check(work: Work) -> None:
    errors = work.opened.errors
    if errors:
        st.error(f"❌ 带上此草稿，目录有 {len(errors)} 处错误，不能发布 With this draft the "
                 "catalog has errors: it cannot be published")
        with st.expander("错误详情 Error details", expanded=True):
            show_errors(errors)
            guide_link("guide_link_publish")
    else:
        st.success("✅ 带上此草稿，整个目录检查通过 The whole catalog checks cleanly with this "
                   "draft")


def _diff(work: Work, current: DraftBase, published: list[Publication]) -> None:
    if published and published[-1].hash == current.hash:
        what = f"上一发布版本 last published ({plain(_label(published[-1]))})"
    else:
        what = "目录中的文件 the file in the catalog" if current.text else "（无 none）"
    st.subheader("修改内容 What changed")
    st.caption(f"对比 Compared with：{what}")
    _show_diff(catalog().matters.get(work.code), work.check.matter, "pub_diff")


# ---- examples


@st.cache_resource(max_entries=16, show_spinner=False)
def _examples_of(root: str, file: str, text: str, code: str,
                 signature: tuple[tuple[str, float], ...]) -> ExamplesReport:
    # Keyed by the text and the catalog's files, like the live check.
    _, opened = check_draft(Path(root), Path(file), text)
    return run_examples(opened, codes=[code])


def _examples(work: Work, text: str | None = None, key: str = "pub_examples",
              blocking: bool = True) -> ExamplesReport | None:
    """The matter's examples run on ``text`` (the working text), shown; None: not run.
    ``blocking``: there is something to publish, which the failures stop."""
    if work.check.matter is None or work.opened.errors:
        st.caption("草稿有错误，示例无法运行 The draft has errors: the examples cannot run")
        return None
    root = catalog_dir()
    report = _examples_of(str(root), str(work.file), text or work.text, work.code,
                          catalog_signature(root))
    total = report.passed + report.failed
    if not report.failed:
        st.success(f"✅ {total} 个示例全部通过 All {total} examples pass" if total else
                   "此事项没有示例 The matter has no examples")
        return report
    if blocking:
        st.error(f"❌ {total} 个示例中有 {report.failed} 个未通过，不能发布 {report.failed} of "
                 f"{total} examples fail: publishing is blocked")
    else:
        st.error(f"❌ {total} 个示例中有 {report.failed} 个未通过 {report.failed} of {total} "
                 "examples fail")
    st.dataframe([{"示例 Example": f.test, "行 Line": f.line or "", "问题 Problem": f.message}
                  for f in report.failures], hide_index=True, width="stretch", key=key)
    return report


def _override(work: Work, report: ExamplesReport | None, key: str) -> str | None:
    """The admin's written reason to publish over failing examples (None: no override)."""
    if report is None or not report.failed:
        return None
    if not may_override_examples(work.user):
        st.caption("只有中心管理员可以在示例未通过时发布（须写明理由）Only the centre "
                   "administrator can publish over failing examples, with a reason")
        return None
    if not st.checkbox("示例未通过仍然发布 Publish despite the failing examples", key=key):
        return None
    return str(st.text_area("理由（记入审计记录）Reason (goes into the audit trail)",
                            key=f"{key}_reason") or "")


# ---- publishing


def _examples_section(work: Work, current: Publication | None) -> ExamplesReport | None:
    st.subheader("示例 Examples")
    return _examples(work, blocking=current is None)


def _publish(work: Work, base: DraftBase, report: ExamplesReport | None,
             conflict: Conflict | None, current: Publication | None) -> None:
    st.subheader("发布新版本 Publish a new version")
    if current is not None:
        st.info(f"目录中的事项就是第 {current.number} 版，没有新的修改可发布 The matter as it "
                f"stands is v{current.number}: nothing new to publish")
        return
    note = st.text_input("修改说明 Note（必填 required）", key="publish_note",
                         placeholder="例如 e.g. 租赁合同改为可容缺")
    override = _override(work, report, "publish_override")
    if conflict is not None:
        st.caption("⛔ 须先合并（见上方）Merge first (above)")
    if not st.button("🚀 发布 Publish", key="publish_button", type="primary"):
        return
    try:
        done = publish_draft(catalog_dir(), work.file, work.text, store(), user=work.user,
                             note=note, base=base, override=override)
    except FormkitErrors as exc:
        st.error(f"发布被拒绝：目录有 {len(exc.errors)} 处错误 Refused: the catalog has errors")
        show_errors(exc.errors)
        return
    except FormkitError as exc:
        st.error(_refused(exc))
        return
    drafts().discard(work.user.username, work.code)
    st.session_state[MATTER] = done.code
    st.session_state.pop("_bound", None)
    # The next version gets its own note and reason.
    _reset_next_run({"publish_note": "", "publish_override": False,
                     "publish_override_reason": ""}, done.number)
    extra = "（示例未通过，理由已记入审计 published over failing examples: the reason is " \
        "in the audit trail）" if done.override else ""
    flash(f"已发布 Published {plain(done.code)} · 第 {done.number} 版 version {done.number} · "
          f"{done.hash[:10]}{extra}")
    st.rerun()


def _reset_next_run(values: dict[str, object], newest: int) -> None:
    """Set these widgets at the start of the next run (a widget already drawn in this
    run cannot be set; one merely forgotten keeps its text in the browser); the
    history compares the two newest versions again."""
    st.session_state[_RESET] = values | ({"hist_from": newest - 1, "hist_to": newest}
                                         if newest > 1 else {})


def _impact(work: Work) -> None:
    st.subheader("对在办件的影响 Impact on open cases")
    rules = work.check.rules
    if rules is None or rules.errors or work.check.matter is None:
        st.caption("草稿有错误，无法计算 The draft has errors: no impact report")
        return
    service = CaseService(store(), catalog().work_calendar())
    impacts = impact_of(service, work.check.matter.code, rules)
    if not impacts:
        st.info("没有在办件会因此版本而受到不同处理 No open case would be treated differently")
        return
    st.warning(f"{len(impacts)} 件在办件会受到不同处理 open cases would be treated differently")
    st.dataframe([{"案件 Case": i.number, "状态 State": i.state, "原结果 Before": i.before,
                   "新结果 After": i.after, "变化 Changes": "；".join(i.changes)}
                  for i in impacts], hide_index=True, width="stretch", key="pub_impact")


# ---- history and rollback


def _kind(p: Publication, by_hash: dict[str, Publication]) -> str:
    if p.rollback_of is None:
        return "发布 published"
    earlier = by_hash.get(p.rollback_of)
    return f"回滚 rollback → v{earlier.number}" if earlier else "回滚 rollback"


def _history(work: Work, published: list[Publication], current: DraftBase) -> None:
    st.subheader("版本历史 Version history")
    if not published:
        st.info("还没有发布过 Never published yet")
        return
    first: dict[str, Publication] = {}
    for p in published:
        first.setdefault(p.hash, p)
    overridden = any(p.override for p in published)  # the column only when it says something
    st.dataframe([{"版本 Version": f"v{p.number}", "时间 When": p.at.replace("T", " "),
                   "内容 Content": p.hash[:10], "类型 Kind": _kind(p, first),
                   "发布人 By": p.actor, "说明 Note": p.note}
                  | ({"示例 Examples": f"⚠️ 未通过仍发布 overridden："
                                     f"{p.override.get('reason', '')}" if p.override else ""}
                     if overridden else {})
                  for p in reversed(published)], hide_index=True, width="stretch",
                 key="pub_history")
    by_number = {p.number: p for p in published}
    if len(published) >= 2:
        numbers = list(by_number)
        c1, c2 = st.columns(2)
        old = c1.selectbox("从 From", numbers, index=len(numbers) - 2, key="hist_from",
                           format_func=lambda n: _label(by_number[n]))
        new = c2.selectbox("到 To", numbers, index=len(numbers) - 1, key="hist_to",
                           format_func=lambda n: _label(by_number[n]))
        _show_diff(_snapshot_matter(by_number[old]), _snapshot_matter(by_number[new]),
                   "hist_diff")
    _rollback(work, published, current)


def _snapshot_matter(p: Publication) -> Matter | None:
    snapshot = store().get_version(p.hash)
    return _matter(snapshot.get("matter_yaml") if snapshot else None,
                   Path(str(snapshot.get("file", "matter.yaml")) if snapshot else "m.yaml"))


def _rollback(work: Work, published: list[Publication], current: DraftBase) -> None:
    earlier: dict[int, Publication] = {}
    for p in published:
        if p.hash != current.hash and all(e.hash != p.hash for e in earlier.values()):
            earlier[p.number] = p
    # Keyed: it stays open through reruns, whatever shows above it.
    with st.expander("↩️ 回滚到早期版本 Roll back to an earlier version", key="rollback_box",
                     on_change="rerun"):
        if not earlier:
            st.caption("没有可回滚的早期版本 No earlier version to roll back to")
            return
        st.caption("回滚会把所选版本的内容作为一个新版本重新发布，历史保持不变 A rollback "
                   "publishes the chosen version's content again as a new version; the "
                   "history stays as it is")
        numbers = sorted(earlier, reverse=True)
        number = st.selectbox("回滚到 Roll back to", numbers, key="rollback_pick",
                              format_func=lambda n: f"{_label(earlier[n])} · {earlier[n].note}")
        target = earlier[number]
        snapshot = store().get_version(target.hash) or {}
        st.caption("回滚将带来的变化 What the rollback changes")
        _show_diff(catalog().matters.get(work.code), _snapshot_matter(target), "rollback_diff")
        report = _examples(work, str(snapshot.get("matter_yaml", "")), key="rollback_examples")
        override = _override(work, report, "rollback_override")
        if work.from_draft:
            st.caption("你的草稿会保留，回滚后须先合并才能发布 Your draft stays; after the "
                       "rollback it has to be merged before it can be published")
        note = st.text_input("回滚说明 Note（必填 required）", key="rollback_note",
                             placeholder="例如 e.g. 新版本有误，恢复上一版")
        if not st.button(f"↩️ 回滚到 v{target.number} Roll back to v{target.number}",
                         key="rollback_button"):
            return
        try:
            done = roll_back(catalog_dir(), store(), work.code, target.hash, user=work.user,
                             note=note, base=current, override=override)
        except FormkitErrors as exc:
            st.error(f"回滚被拒绝：目录有 {len(exc.errors)} 处错误 Refused: the catalog has "
                     "errors")
            show_errors(exc.errors)
            return
        except FormkitError as exc:
            st.error(_refused(exc).replace("发布被拒绝", "回滚被拒绝"))
            return
        _reset_next_run({"rollback_note": "", "rollback_override": False,
                         "rollback_override_reason": "", "rollback_box": False}, done.number)
        flash(f"已回滚 Rolled back {plain(done.code)}：v{target.number} 的内容已发布为第 "
              f"{done.number} 版 republished as version {done.number} · {done.hash[:10]}")
        st.rerun()


def _audit(published: list[Publication]) -> None:
    if not published:
        return
    numbers: dict[str, int] = {}
    for p in published:
        numbers.setdefault(p.hash, p.number)
    with st.expander(f"审计记录 Audit trail（{len(published)}）", key="audit_box"):
        st.dataframe([{"时间 When": p.at.replace("T", " "), "人员 Actor": p.actor,
                       "版本 Version": f"v{p.number}", "内容 Content": p.hash[:10],
                       "说明 Note": p.note,
                       "回滚自 Rollback of": f"v{numbers.get(p.rollback_of, '?')} · "
                                            f"{p.rollback_of[:10]}" if p.rollback_of else "",
                       "强制发布理由 Override reason": (p.override or {}).get("reason", "")}
                      for p in reversed(published)], hide_index=True, width="stretch",
                     key="pub_audit")


def main() -> None:
    st.title("🚀 发布 Publish")
    for key, value in st.session_state.pop(_RESET, {}).items():
        st.session_state[key] = value
    with st.container():  # one element however many messages: what follows keeps its place
        show_flash()
    work = open_work()
    if work is None:
        return
    code = work.check.matter.code if work.check.matter is not None else work.code
    published = publications(store(), code)
    current = current_base(catalog(), code)
    base = _base_of(work)
    _began(work, base, published)
    conflict = find_conflict(store(), work.file, code, base, work.user.username)
    # Nothing new: no draft, and the file is the last publication.
    standing = published[-1] if published and not work.from_draft and \
        published[-1].hash == current.hash else None
    _check(work)
    if conflict is not None:
        _conflict(work, conflict)
    else:
        _diff(work, current, published)
    report = _examples_section(work, standing)
    _publish(work, base, report, conflict, standing)
    _impact(work)
    _history(work, published, current)
    _audit(published)


main()
