"""综合窗口 Window (一窗受理): find the matter (or the 高效办成一件事
bundle: ``formkit_studio.bundle_widgets``), take the application, pre-check it, print
the notice, create the case; returning applicants bring what the one-time notice asked for.

Every decision shown comes from formkit: ``search_matters``, ``form_state``,
``run_precheck`` (with ``explain``), ``render_notice`` and ``CaseService``. The matter's
办事指南 (``guide_document``) is there before any application; once a case is filed,
every document it has (``case_document_kinds``) is there to print or download as HTML
or PDF. Every text of
a definition, an application or an error goes through ``plain``: shown as typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st
from formkit_studio.bundle_widgets import bundle_intake
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
from formkit_studio.labels import OUTCOMES, STATES, error_text, field_text
from formkit_studio.safe_text import plain

from formkit.calendar import WorkCalendar
from formkit.cases.service import (
    RATABLE_STATES,
    SCORE_NAMES,
    Case,
    CaseService,
    HandedIn,
)
from formkit.cases.versions import case_rules, snapshot_for_case
from formkit.catalog import OpenCatalog
from formkit.definitions.model import Bundle, FieldType, FormField, Matter
from formkit.definitions.users import User
from formkit.desk.access import read_case
from formkit.desk.case_search import CaseHit, search_cases
from formkit.desk.checklist import clock, material_checklist, unit_names
from formkit.desk.search import bundle_title, matched_word, search_offers
from formkit.documents import (
    DOCUMENT_KINDS,
    NoticeInfo,
    guide_document,
    notice_kind,
    render_notice,
)
from formkit.errors import AccessDenied, FormkitError
from formkit.intake.forms import applicant_of
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
    problems += [f"申请表 Form：{plain(field_text(matter, e.field))}：{plain(e.message)}"
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


def rating_panel(svc: CaseService, case: Case, key: str) -> None:
    """好差评 at the window: once the service has ended (the result served, or refused),
    the applicant rates it, 5 非常满意 to 1 非常不满意 (GB/T 39735-2020), once
    (``CaseService.rate``); a 差评 opens a follow-up for the office, said here."""
    if case.rating is not None:
        rated = case.rating
        said = f"好差评 Rating：**{SCORE_NAMES[rated.score]}**（{rated.score} 分）"
        if rated.comment:
            said += f"；意见：{plain(rated.comment)}"
        followup = next((f for f in reversed(case.followups) if f.kind == "rating"), None)
        (st.warning if rated.poor else st.success)(said)
        if followup is not None:
            st.caption(f"差评已转督办：办理部门须于 {_d(followup.due)} 前核实、整改并"
                       "反馈申请人 (a follow-up is open)")
        return
    if case.state not in RATABLE_STATES:
        return
    with st.container(border=True, key=f"rating-{_safe(key)}"):
        st.markdown("**好差评 请申请人评价本次服务 Ask the applicant to rate the service**")
        score = st.radio("评价 Rating", list(SCORE_NAMES), index=None, horizontal=True,
                         key=f"{key}|score", format_func=SCORE_NAMES.__getitem__)
        comment = st.text_area("意见或建议 Comment（不满意的请写明原因）", key=f"{key}|comment",
                               max_chars=500, height=80)
        if st.button("提交评价 Submit rating", key=f"{key}|rate"):
            if score is None:
                st.error("请先选择评价等级 Choose a rating")
                return
            user = current_user()
            try:
                svc.rate(case.number, score=int(score), comment=comment,
                         actor=user.username if user else "window", via="window")
            except FormkitError as exc:
                st.error(f"评价未记录 Rating not recorded：{plain(error_text(exc))}")
                return
            st.rerun()


def _safe(key: str) -> str:
    """A widget key made of letters, digits, '-' and '_' (a container's CSS class)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in key)


def case_result(opened: OpenCatalog, svc: CaseService, number: str, key: str) -> None:
    """After a decision: the receipt, the outcome and every document of the case; the
    applicant's rating once the service has ended (a refusal at the window)."""
    case = svc.get(number)
    rules = case_rules(svc.store, case)
    result = PrecheckResult.model_validate(case.precheck)
    receipt(svc, case)
    outcome_panel(opened, rules.matter, result)
    rating_panel(svc, case, key)
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


def _choose_matter(opened: OpenCatalog) -> Matter | Bundle | None:
    """The matter, or the bundle (高效办成一件事), the clerk picks; bundles are listed
    with their number of matters, so a clerk tells one from a matter."""
    find, pick = st.columns([1, 1])
    query = find.text_input("查找事项 Find a matter（名称 name / 编码 code / 拼音首字母 pinyin "
                            "initials）", key="win_query",
                            placeholder="例如 e.g. spjy、食品经营、营业执照、开店",
                            help="也可输入办出的证照（营业执照）或群众的说法（开店、办执照）"
                                 " Also the licence a citizen asks for, or their words")
    matters = sorted(opened.matters.values(), key=lambda m: m.code)
    bundles = sorted(opened.bundles.values(), key=lambda b: b.code)
    offers: dict[str, Matter | Bundle] = {**opened.bundles, **opened.matters}
    found = search_offers(matters, bundles, query, limit=len(offers))
    if not found:
        find.warning("没有找到匹配的事项 No matter matches")
        return None
    codes = [m.code for m in found]
    if query.strip() and st.session_state.get("win_matter") not in codes:
        st.session_state["win_matter"] = codes[0]  # the best match, ready to go
    why = {m.code: matched_word(m, query) for m in found} if query.strip() else {}

    def shown(code: str) -> str:
        word = why.get(code)
        offer = offers[code]
        title = bundle_title(offer) if isinstance(offer, Bundle) else \
            f"{offer.name.zh}（{code}）"
        return title + (f" · {word}" if word else "")

    code = pick.selectbox("事项 Matter", codes, index=None, key="win_matter",
                          format_func=shown, placeholder="请选择事项 Choose a matter")
    return offers.get(code) if code else None


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


def _probe(fields: list[FormField]) -> dict[str, Any]:
    """An answer in every text field, at any depth: what ``applicant_of`` could read."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.type == FieldType.text:
            out[f.id] = "申"
        elif f.type == FieldType.group:
            out[f.id] = _probe(f.fields or [])
        elif f.type == FieldType.repeat:
            out[f.id] = [_probe(f.fields or [])]
    return out


def form_names_applicant(matter: Matter) -> bool:
    """Whether ``matter``'s form asks the applicant's name (``applicant_of`` finds one
    in it): then the window takes the name from the form and does not ask it again."""
    return bool(applicant_of(matter, _probe(matter.form)))


def _applicant(matter: Matter, answers: dict[str, Any], scope: str) -> str:
    """The applicant's name: from the form where it asks one (asked once), else from a
    box of its own. Shown at the top of the outcome column."""
    if form_names_applicant(matter):
        name = applicant_of(matter, answers)
        st.markdown("**申请人 Applicant**（取自申请表 from the form）：" +
                    (plain(name) if name else "—（请在申请表中填写 fill it in the form）"))
        return name
    return str(st.text_input("申请人 Applicant（名称或姓名 legal name）",
                             key=f"{scope}|applicant")).strip()


def new_application(opened: OpenCatalog, svc: CaseService) -> None:
    matter = _choose_matter(opened)
    if matter is None:
        return
    if isinstance(matter, Bundle):  # 高效办成一件事: one intake for several matters
        bundle_intake(opened, svc, matter)
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
    checked = bool(st.session_state.get(f"{scope}|checked"))
    answers, handed, result, side = _form_and_checklist(svc, rules, scope,
                                                        show_required=checked)
    with side:
        applicant = _applicant(matter, answers, scope)
        with st.container(horizontal=True):
            st.button("运行预检 Run pre-check", key=f"{scope}|run", type="primary",
                      on_click=_mark_checked, args=(scope,))
            create = checked and st.button("立案并出具通知书 Create case",
                                           key=f"{scope}|create", type="primary")
        if not checked:
            st.caption("填好申请表、勾选收到的材料后运行预检 Fill in the form, tick the "
                       "materials, then run the pre-check")
            return
        if create and not applicant:
            st.error("请填写申请人 Enter the applicant's name"
                     + ("（申请表中的姓名或名称 in the form）" if form_names_applicant(matter)
                        else ""))
            create = False
        st.subheader("预检 Pre-check", anchor=False)
        with st.container(height=OUTCOME_HEIGHT, border=False,
                          key=f"win-outcome-{_safe(scope)}"):
            outcome_panel(opened, matter, result)
    notice_panel(opened, matter, result, applicant=applicant, number="（立案后生成 on filing）",
                 key=f"{scope}|preview", calendar=svc.calendar)
    if create:
        user = current_user()
        try:
            version = snapshot_for_case(svc.store, opened, matter.code)
            case = svc.receive(rules, version, answers, handed,
                               actor=user.username if user else "window",
                               applicant=applicant)
        except FormkitError as exc:
            st.error(f"立案失败 Could not create the case：{plain(error_text(exc))}")
            return
        st.session_state[f"{scope}|case"] = case.number
        st.rerun()


# Heights (px) of the window's workbench on a wide screen: the form scrolls inside its
# column, so the outcome and the checklist beside it stay in view (1080p: both fit).
FORM_HEIGHT = 720
OUTCOME_HEIGHT = 240
CHECKLIST_HEIGHT = 280


def _form_and_checklist(svc: CaseService, rules: RuleSet, scope: str, *, show_required: bool
                        ) -> tuple[dict[str, Any], list[HandedIn], PrecheckResult, Any]:
    """The application form (left) and the materials checklist (right), pre-checked as
    they stand: the answers, the materials handed in, the pre-check, and the right-hand
    column above the checklist, where the caller shows the outcome (a new application
    and a returning one alike). A narrow screen stacks the columns."""
    day, cal, matter = svc.now().date(), svc.calendar, rules.matter
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.subheader("申请表 Application form", anchor=False)
        with st.container(height=FORM_HEIGHT, key=f"win-form-{_safe(scope)}"):
            answers, _ = render_form(rules, scope, today=day, calendar=cal,
                                     show_required=show_required)
    handed = handed_in(matter, scope)
    result = run_precheck(rules, _submission(answers, handed), today=day, calendar=cal,
                          explain=True)
    with right:
        side = st.container(key=f"win-side-{_safe(scope)}")
        st.subheader("材料清单 Materials checklist", anchor=False)
        with st.container(height=CHECKLIST_HEIGHT, key=f"win-checklist-{_safe(scope)}"):
            checklist_widgets(material_checklist(matter, result, rules), scope)
    return answers, handed, result, side


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
    answers, handed, result, side = _form_and_checklist(svc, rules, scope,
                                                        show_required=True)
    with side:
        st.subheader("预检（未提交）Pre-check preview", anchor=False)
        with st.container(height=OUTCOME_HEIGHT, border=False,
                          key=f"win-outcome-{_safe(scope)}"):
            outcome_panel(opened, matter, result)
        resubmit = st.button("补正提交并重新预检 Resubmit and pre-check again",
                             key=f"{scope}|resubmit", type="primary")
    if resubmit:
        user = current_user()
        try:
            svc.resubmit(case.number, rules, actor=user.username if user else "window",
                         materials=handed, fields=answers)
        except FormkitError as exc:
            st.error(f"补正失败 Could not resubmit：{plain(error_text(exc))}")
            return
        st.session_state[f"{scope}|done"] = True
        st.rerun()


# ---------------------------------------------------------------- finding a case


# How far back a search looks, by receipt day (days; None: every case stored).
PERIODS: dict[str, tuple[str, int | None]] = {
    "year": ("近一年", 366), "quarter": ("近三个月", 92), "three": ("近三年", 3 * 366),
    "all": ("全部", None)}


def _done_on(hit: CaseHit) -> dt.date | None:
    """When the service ended: served, decided, ended, or refused (told)."""
    return hit.issued_on or hit.ended_on or hit.decided_on or (
        hit.notice_on if hit.state == "refused" else None)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _hit_rows(opened: OpenCatalog, hits: tuple[CaseHit, ...]) -> list[dict[str, str]]:
    """The result list in plain Chinese (a table's cells are shown as text)."""
    rows = []
    for h in hits:
        m = opened.matters.get(h.matter)
        rows.append({
            # a case of a 一件事 is marked with its bundle's number, as in the back office
            "案件编号": h.number, "事项": (f"🔗 {h.bundle} · " if h.bundle else "")
            + (m.name.zh if m else h.matter),
            "申请人": h.applicant + (f"（{h.matched_name}）" if h.matched_name else ""),
            "身份证号": h.id_number or "—", "手机": h.mobile or "—",
            "状态": STATES.get(h.state, (h.state, ""))[0],
            "收件日期": _iso(h.received_on), "办结日期": _iso(_done_on(h))})
    return rows


def _to_returning(number: str) -> None:
    st.session_state.update(win_mode="returning", ret_number=number, ret_case=number)


def _found_case(opened: OpenCatalog, svc: CaseService, user: User, number: str) -> None:
    """An opened case: its receipt, facts, every document it was given (to reprint),
    and the applicant's rating once its service has ended."""
    try:
        case = read_case(svc, user, number)
    except AccessDenied as exc:
        st.error(f"无权查看 Access refused：{plain(error_text(exc))}")
        return
    except FormkitError:
        st.error(f"找不到案件 Case not found：{plain(number)}")
        return
    key = f"found:{case.number}"
    matter = opened.matters.get(case.matter)
    with st.container(border=True, key=f"win-found-{_safe(case.number)}"):
        st.subheader(f"案件 {case.number}", anchor=False)
        receipt(svc, case)
        st.markdown(f"**事项：** {plain(matter.name.zh) if matter else plain(case.matter)} · "
                    f"**申请人：** {plain(case.applicant) or '—'} · "
                    f"**收件：** {_d(case.received_on)} · **告知：** {_d(case.notice_on)}"
                    + (f" · **出件：** {_d(case.issued_on)}" if case.issued_on else ""))
        if case.state == "supplement":
            st.button("补正续办 Take the supplement", key=f"{key}|supplement",
                      on_click=_to_returning, args=(case.number,))
        rating_panel(svc, case, key)
        case_documents(opened, svc, case, key)


def find_case(opened: OpenCatalog, svc: CaseService) -> None:
    """查询案件: find a case by the person (name, 身份证号, mobile) or its number, open it,
    reprint what it was given."""
    user = current_user()
    if user is None:
        return
    ask, period = st.columns([3, 1])
    query = ask.text_input("查询案件 Find a case（申请人姓名 / 身份证号或后四位 / 手机号或尾号 / "
                           "案件编号）", key="fc_query",
                           placeholder="例如 e.g. 张伟、445321199003071230、1230、XX2026112500042")
    chosen = period.selectbox("收件时间 Received", list(PERIODS), key="fc_period",
                              format_func=lambda p: PERIODS[p][0])
    if not query.strip():
        st.info("请输入申请人姓名、身份证号（或后四位）、手机号或案件编号 Enter a name, an ID "
                "number (or its last four digits), a mobile or a case number")
        return
    days = PERIODS[str(chosen)][1]
    since = svc.now().date() - dt.timedelta(days=days) if days else dt.date(1900, 1, 1)
    found = search_cases(svc.store, user, query, since=since)
    if found.kind is None:
        st.warning("请输入至少两个字的姓名，或至少四位数字 Enter at least two characters of a "
                   "name, or four digits")
        return
    if not found.hits:
        st.warning(f"没有找到符合条件的案件（{PERIODS[str(chosen)][0]}）No case found")
        return
    st.caption(f"找到 {found.total} 件 {found.total} found"
               + (f"，显示最近 {len(found.hits)} 件，请输入更完整的信息 (the latest shown)"
                  if found.truncated else "")
               + "；身份证号、手机号已遮挡 ID and mobile numbers masked")
    st.dataframe(_hit_rows(opened, found.hits), hide_index=True, width="stretch",
                 key="fc_table")
    numbers = [h.number for h in found.hits]
    by_number = {h.number: h for h in found.hits}

    def shown(n: str) -> str:
        h = by_number[n]
        m = opened.matters.get(h.matter)
        return (f"{n} · {m.name.zh if m else h.matter} · {h.applicant} · "
                f"{STATES.get(h.state, (h.state, ''))[0]}")

    if st.session_state.get("fc_pick") not in numbers:
        st.session_state["fc_pick"] = numbers[0] if len(numbers) == 1 else None
    number = st.selectbox("打开案件 Open a case", numbers, key="fc_pick", format_func=shown,
                          placeholder="请选择要打开的案件 Choose a case to open")
    if number:
        _found_case(opened, svc, user, str(number))


MODES = {"new": "新申请 New application", "returning": "补正续办 Returning applicant (补正)",
         "find": "查询案件 Find a case"}


def main() -> None:
    opened = catalog()
    centre = opened.catalog.name.zh if opened.catalog else "formkit"
    # No anchor: its link would be made of the centre's name.
    st.title(f"{plain(centre)} · 综合窗口", anchor=False)
    st.caption("Comprehensive window — 一窗受理：查事项、填表、预检、出具通知书、立案；"
               "查询案件、补打文书、好差评")
    svc = CaseService(store(), opened.work_calendar(), now=clock(today()))
    mode = st.radio("办理类型 Mode", list(MODES), horizontal=True, key="win_mode",
                    format_func=MODES.__getitem__)
    if mode == "new":
        new_application(opened, svc)
    elif mode == "returning":
        returning(opened, svc)
    else:
        find_case(opened, svc)


main()
