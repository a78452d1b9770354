"""综合窗口 Window (一窗受理): find the matter, take the application, pre-check it, print
the notice, create the case; returning applicants bring what the one-time notice asked for.

Every decision shown comes from formkit: ``search_matters``, ``form_state``,
``run_precheck`` (with ``explain``), ``render_notice`` and ``CaseService``. The matter's
办事指南 (``guide_document``) is there before any application; once a case is filed,
every document it has (``case_document_kinds``) is there to print or download as HTML
or PDF. Every text of
a definition, an application or an error goes through ``plain``: shown as typed.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from formkit_studio.common import (
    case_documents,
    catalog,
    current_user,
    document_views,
    store,
    today,
    with_print_button,
)
from formkit_studio.form_widgets import (
    checklist_widgets,
    clear_scope,
    handed_in,
    load_answers,
    load_materials,
    render_form,
)
from formkit_studio.labels import OUTCOMES, STATES, error_text
from formkit_studio.safe_text import plain

from formkit.calendar import WorkCalendar
from formkit.cases.service import Case, CaseService, HandedIn
from formkit.cases.versions import case_rules, snapshot_for_case
from formkit.catalog import OpenCatalog
from formkit.definitions.model import Matter
from formkit.desk.access import read_case
from formkit.desk.checklist import clock, material_checklist, unit_names
from formkit.desk.search import search_matters
from formkit.documents import (
    DOCUMENT_KINDS,
    NoticeInfo,
    guide_document,
    notice_kind,
    render_notice,
)
from formkit.errors import AccessDenied, FormkitError
from formkit.intake.forms import field_title
from formkit.intake.precheck import PrecheckResult, run_precheck
from formkit.ruleset import RuleSet


def _d(day: Any) -> str:
    return "—" if day is None else f"{day.year}年{day.month}月{day.day}日（{day.isoformat()}）"


def _submission(answers: dict[str, Any], handed: list[HandedIn]) -> dict[str, Any]:
    return {"fields": answers, "materials": [m.model_dump(exclude_none=True) for m in handed]}


# ---------------------------------------------------------------- shared panels


def outcome_panel(opened: OpenCatalog, matter: Matter, result: PrecheckResult) -> None:
    """The pre-check outcome with every problem at once (一次性告知)."""
    zh, en = OUTCOMES[result.outcome]
    box = {"accept": st.success, "accept_with_tolerance": st.success,
           "incomplete": st.warning, "refuse": st.error}[result.outcome]
    box(f"预检结果 Pre-check outcome：**{zh}** {en}")
    names = {m.id: plain(m.name.zh) for m in matter.materials}  # Markdown: as typed
    problems = [f"不予受理 Refusal：{plain(f.message)}" for f in result.refusals]
    problems += [f"缺少材料 Missing material：{names.get(m.id, plain(m.id))}"
                 f"（{plain(m.reason)}）" for m in result.missing_materials]
    problems += [f"申请表 Form：{plain(field_title(matter, e.field))}：{plain(e.message)}"
                 for e in result.field_errors]
    if problems:
        st.markdown(f"**共 {len(problems)} 项问题 {len(problems)} problem(s)：**\n\n"
                    + "\n".join(f"{i}. {p}" for i, p in enumerate(problems, 1)))
    if result.denials:  # substantive: the application is still accepted when complete
        st.warning("**存在不予许可情形（受理后由审批部门决定）** Grounds for denial, decided by "
                   "the department after acceptance：\n\n"
                   + "\n".join(f"- {plain(f.message)}" for f in result.denials), icon="⚖️")
    for m in result.tolerated_materials:
        st.info(f"容缺 To follow：{names.get(m.id, plain(m.id))}（受理后补交 hand in after "
                "acceptance）")
    for w in result.warnings:
        st.warning(f"提示 Warning：{plain(w.message)}")
    facts = []
    if result.fetched_materials:
        facts.append("窗口调取 Fetched：" + "、".join(names.get(m.id, plain(m.id))
                                                    for m in result.fetched_materials))
    if result.route:
        units = unit_names(opened.catalog) if opened.catalog else {}
        facts.append("审批路线 Route：" + " → ".join(
            " + ".join(plain(units.get(u, u)) for u in step) for step in result.route))
    if result.committed_deadline:
        facts.append(f"承诺办结 Committed deadline：{_d(result.committed_deadline)}；"
                     f"法定 Statutory：{_d(result.statutory_deadline)}")
    if result.fee is not None:
        facts.append(f"收费 Fee：{result.fee} 元")
    if result.calendar_provisional:
        facts.append("⚠ 期限依据未公布的节假日安排，仅供参考 deadline rests on an unofficial "
                     "holiday schedule")
    for fact in facts:
        st.caption(fact)


def notice_panel(opened: OpenCatalog, matter: Matter, result: PrecheckResult, *,
                 applicant: str, number: str, key: str, calendar: WorkCalendar) -> None:
    """The matching notice as a print view, a downloadable HTML file and plain text."""
    if opened.catalog is None:
        return
    user = current_user()
    info = NoticeInfo(applicant=applicant or "—", case_number=number,
                      clerk=user.name.zh if user else "")
    kind = notice_kind(result)
    page = render_notice(opened.catalog, matter, result, info, fmt="html", calendar=calendar)
    text = render_notice(opened.catalog, matter, result, info, fmt="text", calendar=calendar)
    zh, en = DOCUMENT_KINDS[kind]
    st.subheader(f"{zh} {en}")
    st.download_button("下载通知书 Download notice (HTML)", data=page.encode("utf-8"),
                       file_name=f"{number}-{kind}.html", mime="text/html",
                       key=f"{key}|download")
    st.iframe(with_print_button(page), height=640)
    with st.expander("文本版 Text version"):
        st.code(text, language=None)


def receipt(svc: CaseService, case: Case) -> None:
    """The receipt: case number, state and the committed deadline (moved by a stopped
    clock or an extension since acceptance)."""
    zh, en = STATES[case.state]
    due, _ = svc.deadlines(case)
    cols = st.columns(3)
    cols[0].metric("案件编号 Case number", case.number)
    cols[1].metric("状态 State", f"{zh} {en}")
    cols[2].metric("承诺办结期限 Committed deadline", due.isoformat() if due else "—")
    if case.state == "accepted":
        st.success(f"已受理 Accepted：案件 {case.number}，承诺于 {_d(due)}"
                   f"前办结 (committed deadline {due})")
    elif case.state == "supplement":
        st.warning(f"待补正 Awaiting supplement：案件 {case.number}，"
                   "请申请人按一次性告知书补正后凭编号再来 (the applicant returns with the number)")
    elif case.state in ("refused", "denied"):
        st.error(f"{zh} {en}：案件 {case.number}")
    elif case.state in ("terminated", "withdrawn"):
        st.info(f"{zh} {en}：案件 {case.number}，{_d(case.ended_on)}")


def case_result(opened: OpenCatalog, svc: CaseService, number: str, key: str) -> None:
    """After a decision: the receipt, the outcome and every document of the case."""
    case = svc.get(number)
    rules = case_rules(svc.store, case)
    result = PrecheckResult.model_validate(case.precheck)
    receipt(svc, case)
    outcome_panel(opened, rules.matter, result)
    case_documents(opened, svc, case, key)


def guide_panel(opened: OpenCatalog, matter: Matter) -> None:
    """The matter's 办事指南, for the applicant who asks what is needed: print it or
    hand it over as HTML or PDF."""
    if opened.catalog is None:
        return
    with st.expander("📄 办事指南 Service guide：打印或下载给申请人 print or download for the "
                     "applicant", key=f"guide-box-{matter.code}"):
        document_views([guide_document(opened.catalog, matter)], f"guide:{matter.code}")


# ---------------------------------------------------------------- new applications


def _mark_checked(scope: str) -> None:
    # a callback, so "required" errors already show in the run the click starts
    st.session_state[f"{scope}|checked"] = True


def _choose_matter(opened: OpenCatalog) -> Matter | None:
    query = st.text_input("查找事项 Find a matter（名称 name / 编码 code / 拼音首字母 pinyin "
                          "initials）", key="win_query",
                          placeholder="例如 e.g. spjy、食品经营、XX-MS-0002")
    matters = sorted(opened.matters.values(), key=lambda m: m.code)
    found = search_matters(matters, query, limit=len(matters)) if query.strip() else matters
    if not found:
        st.warning("没有找到匹配的事项 No matter matches")
        return None
    codes = [m.code for m in found]
    if query.strip() and st.session_state.get("win_matter") not in codes:
        st.session_state["win_matter"] = codes[0]  # the best match, ready to go
    code = st.selectbox("事项 Matter", codes, index=None, key="win_matter",
                        format_func=lambda c: f"{opened.matters[c].name.zh}（{c}）",
                        placeholder="请选择事项 Choose a matter")
    return opened.matters.get(code) if code else None


def _matter_facts(opened: OpenCatalog, matter: Matter) -> None:
    limit = matter.time_limit
    unit = "工作日 working days" if limit.unit == "working_days" else "自然日 calendar days"
    dept = next((d.name.zh for d in opened.catalog.departments if d.id == matter.department),
                matter.department) if opened.catalog else matter.department
    committed = "即办 on the spot" if limit.committed_days == 0 else \
        f"{limit.committed_days} {unit}"
    st.caption(f"{plain(matter.name.zh)}（{plain(matter.name.en or matter.code)}）· "
               f"承办 {plain(dept)} · 承诺 committed {committed} · "
               f"法定 statutory {limit.statutory_days} {unit}")


def new_application(opened: OpenCatalog, svc: CaseService) -> None:
    matter = _choose_matter(opened)
    if matter is None:
        return
    rules = opened.rules_of(matter.code)
    if rules is None or rules.errors:
        st.error("该事项定义有错误，暂不能受理 This matter's definition has errors")
        return
    scope = f"new:{matter.code}"
    _matter_facts(opened, matter)
    guide_panel(opened, matter)
    number = st.session_state.get(f"{scope}|case")
    if number:
        case_result(opened, svc, number, key=scope)
        st.button("下一位申请人 Next applicant", key=f"{scope}|next", on_click=clear_scope,
                  args=(scope,))
        return
    applicant = st.text_input("申请人 Applicant（名称或姓名 legal name）", key=f"{scope}|applicant")
    checked = bool(st.session_state.get(f"{scope}|checked"))
    answers, handed, result = _form_and_checklist(svc, rules, scope, show_required=checked)
    st.button("运行预检 Run pre-check", key=f"{scope}|run", type="primary",
              on_click=_mark_checked, args=(scope,))
    if not checked:
        return
    st.subheader("预检 Pre-check")
    outcome_panel(opened, matter, result)
    notice_panel(opened, matter, result, applicant=applicant, number="（立案后生成 on filing）",
                 key=f"{scope}|preview", calendar=svc.calendar)
    if st.button("立案并出具通知书 Create case", key=f"{scope}|create", type="primary"):
        if not applicant.strip():
            st.error("请填写申请人 Enter the applicant's name")
            return
        user = current_user()
        try:
            version = snapshot_for_case(svc.store, opened, matter.code)
            case = svc.receive(rules, version, answers, handed,
                               actor=user.username if user else "window",
                               applicant=applicant.strip())
        except FormkitError as exc:
            st.error(f"立案失败 Could not create the case：{plain(error_text(exc))}")
            return
        st.session_state[f"{scope}|case"] = case.number
        st.rerun()


def _form_and_checklist(svc: CaseService, rules: RuleSet, scope: str, *, show_required: bool
                        ) -> tuple[dict[str, Any], list[HandedIn], PrecheckResult]:
    """The application form and the materials checklist, pre-checked as they stand: the
    answers, the materials handed in and the pre-check (a new application and a
    returning one alike)."""
    day, cal, matter = svc.now().date(), svc.calendar, rules.matter
    st.subheader("申请表 Application form")
    answers, _ = render_form(rules, scope, today=day, calendar=cal, show_required=show_required)
    handed = handed_in(matter, scope)
    result = run_precheck(rules, _submission(answers, handed), today=day, calendar=cal,
                          explain=True)
    st.subheader("材料清单 Materials checklist")
    checklist_widgets(material_checklist(matter, result), scope)
    return answers, handed, result


# ---------------------------------------------------------------- returning applicants


def _next_returning(scope: str) -> None:
    clear_scope(scope)
    for name in ("ret_case", "ret_number"):
        st.session_state.pop(name, None)


def returning(opened: OpenCatalog, svc: CaseService) -> None:
    st.text_input("案件编号 Case number", key="ret_number",
                  placeholder="一次性告知书上的编号 the number on the one-time notice")
    if st.button("打开案件 Open case", key="ret_open"):
        st.session_state["ret_case"] = str(st.session_state.get("ret_number", "")).strip()
    number = str(st.session_state.get("ret_case") or "").upper()
    user = current_user()
    if not number or user is None:
        st.info("请输入一次性告知书上的案件编号 Enter the number on the one-time notice")
        return
    try:  # the window reads every department's cases (desk.access); others are refused
        case = read_case(svc, user, number)
        rules = case_rules(svc.store, case)
    except AccessDenied as exc:
        st.session_state.pop("ret_case", None)  # recorded once, not at every rerun
        st.error(f"无权查看 Access refused：{plain(error_text(exc))}")
        return
    except FormkitError:
        st.error(f"找不到案件 Case not found：{plain(number)}")
        return
    scope = f"case:{case.number}"
    if st.session_state.get(f"{scope}|done"):
        case_result(opened, svc, case.number, key=scope)
        if case.state == "supplement":  # still short: reload what the case holds now
            st.button("再次补正 Supplement again", key=f"{scope}|again",
                      on_click=clear_scope, args=(scope,))
        st.button("下一位申请人 Next applicant", key=f"{scope}|next",
                  on_click=_next_returning, args=(scope,))
        return
    if case.state != "supplement":
        zh, en = STATES[case.state]
        st.warning(f"案件 {case.number} 当前为“{zh} {en}”，不在补正中 (not awaiting supplement)")
        receipt(svc, case)
        return
    matter = rules.matter
    if not st.session_state.get(f"{scope}|loaded"):
        load_answers(matter, case.fields, scope)
        load_materials(case.materials, scope)
        st.session_state[f"{scope}|loaded"] = True
    _matter_facts(opened, matter)
    st.markdown(f"**申请人 Applicant：** {plain(case.applicant)} · **收件 Received：** "
                f"{_d(case.received_on)} · **告知 Notified：** {_d(case.notice_on)}")
    with st.expander("上次一次性告知 Last one-time notice", expanded=True):
        outcome_panel(opened, matter, PrecheckResult.model_validate(case.precheck))
    answers, handed, result = _form_and_checklist(svc, rules, scope, show_required=True)
    st.subheader("预检（未提交）Pre-check preview")
    outcome_panel(opened, matter, result)
    if st.button("补正提交并重新预检 Resubmit and pre-check again", key=f"{scope}|resubmit",
                 type="primary"):
        user = current_user()
        try:
            svc.resubmit(case.number, rules, actor=user.username if user else "window",
                         materials=handed, fields=answers)
        except FormkitError as exc:
            st.error(f"补正失败 Could not resubmit：{plain(error_text(exc))}")
            return
        st.session_state[f"{scope}|done"] = True
        st.rerun()


def main() -> None:
    opened = catalog()
    centre = opened.catalog.name.zh if opened.catalog else "formkit"
    # No anchor: its link would be made of the centre's name.
    st.title(f"{plain(centre)} · 综合窗口", anchor=False)
    st.caption("Comprehensive window — 一窗受理：查事项、填表、预检、出具通知书、立案")
    svc = CaseService(store(), opened.work_calendar(), now=clock(today()))
    mode = st.radio("办理类型 Mode", ["new", "returning"], horizontal=True, key="win_mode",
                    format_func=lambda m: {"new": "新申请 New application",
                                           "returning": "补正续办 Returning applicant (补正)"}[m])
    if mode == "new":
        new_application(opened, svc)
    else:
        returning(opened, svc)


main()
