"""发布 Publish: check the whole catalog with the draft, see what changed, publish.

The diff is ``diff_matters`` against the last published version (or the file);
publishing is ``publish_draft``, which refuses a catalog with errors; the
history is the store's snapshots; the impact report is ``impact_of``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from formkit_studio.common import catalog, catalog_dir, drafts, store, with_hint
from formkit_studio.editor_widgets import MATTER, Work, flash, open_work, show_errors, show_flash
from formkit_studio.labels import change_rows

from formkit.authoring.diff import diff_matters
from formkit.authoring.drafts import publish_draft
from formkit.cases.service import CaseService
from formkit.cases.versions import impact_of, rules_from_snapshot
from formkit.definitions.model import Matter
from formkit.errors import FormkitError, FormkitErrors


def _label(v: dict[str, Any]) -> str:
    kind = "发布 published" if v.get("published") else "案件快照 case snapshot"
    return (f"{str(v.get('published_at', ''))[:16].replace('T', ' ')} · {v['hash'][:10]} · "
            f"{kind}" + (f" · {v.get('published_by')}" if v.get("published_by") else ""))


def _matter_of(snapshot: dict[str, Any]) -> Matter | None:
    try:
        return rules_from_snapshot(snapshot).matter
    except FormkitError:
        return None


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


def _check_and_diff(work: Work, versions: list[dict[str, Any]]) -> None:
    errors = work.opened.errors
    if errors:
        st.error(f"❌ 带上此草稿，目录有 {len(errors)} 处错误，不能发布 With this draft the "
                 "catalog has errors: it cannot be published")
        with st.expander("错误详情 Error details", expanded=True):
            show_errors(errors)
    else:
        st.success("✅ 带上此草稿，整个目录检查通过 The whole catalog checks cleanly with this "
                   "draft")
    published = [v for v in versions if v.get("published")]
    if published:
        base = _matter_of(published[-1])
        what = f"上一发布版本 last published ({_label(published[-1])})"
    else:
        base = catalog().matters.get(work.code)
        what = "目录中的文件 the file in the catalog" if base else "（无 none）"
    st.subheader("修改内容 What changed")
    st.caption(f"对比 Compared with：{what}")
    _show_diff(base, work.check.matter, "pub_diff")


def _publish(work: Work) -> None:
    st.subheader("发布新版本 Publish a new version")
    note = st.text_input("修改说明 Note（必填 required）", key="publish_note",
                         placeholder="例如 e.g. 租赁合同改为可容缺")
    if not st.button("🚀 发布 Publish", key="publish_button", type="primary"):
        return
    try:
        snapshot = publish_draft(catalog_dir(), work.file, work.text, store(),
                                 actor=work.user.username, note=note)
    except FormkitErrors as exc:
        st.error(f"发布被拒绝：目录有 {len(exc.errors)} 处错误 Refused: the catalog has errors")
        show_errors(exc.errors)
        return
    except FormkitError as exc:
        st.error(f"发布被拒绝 Refused：{with_hint(exc)}")
        return
    drafts().discard(work.user.username, work.code)
    st.session_state[MATTER] = snapshot["code"]
    st.session_state.pop("_bound", None)
    st.session_state.pop("publish_note", None)  # the next version gets its own note
    flash(f"已发布 Published {snapshot['code']} · 版本 version {snapshot['hash'][:10]}")
    st.rerun()


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


def _history(versions: list[dict[str, Any]]) -> None:
    st.subheader("版本历史 Version history")
    if not versions:
        st.info("还没有发布过 Never published yet")
        return
    st.dataframe([{"时间 When": str(v.get("published_at", "")).replace("T", " "),
                   "版本 Version": v["hash"][:10],
                   "类型 Kind": "发布 published" if v.get("published") else "案件快照 case",
                   "发布人 By": v.get("published_by", ""), "说明 Note": v.get("note", "")}
                  for v in reversed(versions)], hide_index=True, width="stretch",
                 key="pub_history")
    if len(versions) < 2:
        return
    by_hash = {v["hash"]: v for v in versions}
    hashes = [v["hash"] for v in versions]
    c1, c2 = st.columns(2)
    old = c1.selectbox("从 From", hashes, index=len(hashes) - 2, key="hist_from",
                       format_func=lambda h: _label(by_hash[h]))
    new = c2.selectbox("到 To", hashes, index=len(hashes) - 1, key="hist_to",
                       format_func=lambda h: _label(by_hash[h]))
    _show_diff(_matter_of(by_hash[old]), _matter_of(by_hash[new]), "hist_diff")


def _audit(code: str) -> None:
    entries = [a for a in store().audit() if a.get("kind") == "publish" and a.get("code") == code]
    if entries:
        with st.expander(f"审计记录 Audit trail（{len(entries)}）"):
            st.dataframe([{"时间 When": a.get("at", ""), "人员 Actor": a.get("actor", ""),
                           "版本 Version": str(a.get("hash", ""))[:10],
                           "说明 Note": a.get("note", "")}
                          for a in reversed(entries)], hide_index=True, width="stretch",
                         key="pub_audit")


def main() -> None:
    st.title("🚀 发布 Publish")
    show_flash()
    work = open_work()
    if work is None:
        return
    code = work.check.matter.code if work.check.matter is not None else work.code
    versions = store().versions(code)
    if not work.from_draft:
        st.caption("没有草稿：将发布目录中的文件 No draft: publishing records the file as it is")
    _check_and_diff(work, versions)
    _publish(work)
    _impact(work)
    _history(versions)
    _audit(code)


main()
