"""Widgets shared by the authoring pages: the matter picker, the working draft, live checks.

The working text of a matter is the signed-in user's draft if there is one,
else the file. Every edit goes through ``apply_edit``: it reads the working
text, applies a pure ``formkit.authoring.steps`` step and saves the result as the
draft at once, so a reload keeps it. Widgets are bound to the text with
``bind``: a widget shows the text's value whenever the text (or the thing the
widget edits) changed, and otherwise keeps what the user is typing.

Errors are shown as ``formkit.authoring.problems`` words them (Chinese first, at
their place); where a field is used comes from ``formkit.authoring.references``,
for the editor's rename and its question before deleting a used field.

A draft records the version it began from when it is first saved (``save_text``:
``DraftBase``), so publishing it over someone else's publication is stopped however
close together the two were.

Every text of a definition, of an engine message (which can quote one) or typed by the
user goes through ``formkit_studio.safe_text.plain`` where Streamlit reads Markdown
(alerts, captions, headings, radio options, flashes), once; expressions are shown as
inline code (``code_span``) or ``st.code``. Selectbox options and ``st.code`` take the
text as it is.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import streamlit as st
from formkit_studio.common import catalog, catalog_dir, current_user, drafts, with_hint
from formkit_studio.labels import refusal_text
from formkit_studio.safe_text import plain

from formkit.authoring.access import edit_refusal
from formkit.authoring.drafts import (
    DraftBase,
    EditCheck,
    check_draft,
    check_expression,
    current_base,
    load_yaml,
)
from formkit.authoring.problems import Problem, describe, explain, locate
from formkit.authoring.references import LibraryUse, Use, Uses, field_uses
from formkit.authoring.renaming import delete_field
from formkit.authoring.steps import (
    FieldRow,
    TableEdit,
    get_in,
    matter_file,
    set_in,
    unnamed_fields,
)
from formkit.catalog import OpenCatalog, catalog_signature
from formkit.definitions.users import User
from formkit.errors import FormkitError
from formkit.ruleset import RuleSet

GUIDE_LINK = "填写指南 · 如何把办事指南写成事项文件"
# docs/zh/authoring.md: beside the package when it is shipped in it, else in the source
# tree the studio runs from (studio/ is next to docs/).
_GUIDE_FILES = (Path(__file__).resolve().parent / "docs" / "authoring.md",
                Path(__file__).resolve().parents[1] / "docs" / "zh" / "authoring.md")
MATTER = "current_matter"  # the matter every authoring page works on (not a widget key)
ANSWERS = "preview_answers"  # code -> the preview's answers (shared with playground, examples)
HANDED = "preview_handed"  # code -> {material id: {"form", "copies"}} handed in


@st.cache_resource(max_entries=24, show_spinner=False)
def _checked(root: str, file: str, text: str, signature: tuple[tuple[str, float], ...]
             ) -> tuple[EditCheck, OpenCatalog]:
    # Keyed by the text and the catalog's files: a rerun with nothing changed is free.
    return check_draft(Path(root), Path(file), text)


@st.cache_resource(max_entries=24, show_spinner=False)
def tree_of(text: str) -> Any:
    """The round-trip tree of ``text``, for reading only (edits load their own)."""
    try:
        return load_yaml(text)
    except Exception:  # a YAML error: check_draft reports it with its place
        return None


@dataclass(frozen=True)
class Placed:
    """One error of the draft: its index, the error, how the editor words it, and where
    in the matter it is (``None``: not in the matter's tree, e.g. a YAML error)."""

    index: int
    error: FormkitError
    problem: Problem
    loc: tuple[str | int, ...] | None


def relative_to_catalog(path: str) -> str:
    """``path`` from the catalog folder; as it is when it is not inside it."""
    try:
        return Path(path).resolve().relative_to(catalog_dir().resolve()).as_posix()
    except (OSError, ValueError):
        return path


@dataclass
class Work:
    """The matter a page works on: its working text and what the check says about it."""

    user: User
    code: str
    file: Path
    text: str
    from_draft: bool
    check: EditCheck
    opened: OpenCatalog  # the whole catalog, with this draft in it
    # The draft's errors (indexes into check.errors) already shown at their place in
    # this run: the summary at the top names them in one line, the others in full.
    placed: set[int] = field(default_factory=set)

    @cached_property
    def problems(self) -> list[Placed]:
        """The draft's errors, each worded (``explain``) and placed in the matter."""
        out = []
        for i, error in enumerate(self.check.errors):
            tree = _tree_of_file(error)
            span = error.span
            loc = locate(tree, span.line, span.column) if tree is not None and span \
                is not None and span.line and span.column else None
            out.append(Placed(i, error, explain(error, tree), loc))
        return out

    @property
    def relative_file(self) -> str:
        """The matter's file as the catalog names it (``market_supervision/x.yaml``)."""
        return relative_to_catalog(str(self.file))

    @property
    def rev(self) -> str:
        """Changes whenever the working text changes."""
        return hashlib.sha1(f"{self.code}\n{self.text}".encode()).hexdigest()[:16]

    @property
    def tree(self) -> Any:
        """The working text's round-trip tree (read only)."""
        return tree_of(self.text)


def working_text(user: User, code: str) -> tuple[str | None, bool]:
    """The user's draft of ``code``, else its file's text; and whether it is a draft."""
    draft = drafts().load(user.username, code)
    if draft is not None:
        return draft, True
    matter = catalog().matters.get(code)
    if matter is None or not matter.file:
        return None, False
    return Path(matter.file).read_text(encoding="utf-8"), False


def save_text(code: str, text: str, shown: DraftBase | None = None) -> None:
    """Keep ``text`` as the signed-in user's draft of ``code``.

    A new draft records its base: the matter as it stands now (``current_base``), or
    ``shown``, the matter as the page showed it, when ``text`` was made from that and
    the matter has changed since. A draft already begun keeps its base (later saves do
    not move it, or a publication in between would go unnoticed).
    """
    user = current_user()
    if user is None:
        return
    store = drafts()
    if store.load(user.username, code) is not None:
        store.save(user.username, code, text)
        return
    base = current_base(catalog(), code)
    if shown is not None and shown.text != base.text:
        base = shown
    store.save(user.username, code, text, base=base)


def apply_edit(code: str, change: Callable[[str], str]) -> bool:
    """Apply ``change`` to the working text and save the draft (a widget callback);
    True when the text changed."""
    user = current_user()
    if user is None:
        return False
    text, _ = working_text(user, code)
    if text is None:
        return False
    try:
        new = change(text)
    except FormkitError as exc:
        flash(f"无法修改 Cannot change: {plain(with_hint(exc))}", "error")
        return False
    if new == text:
        return False
    save_text(code, new)
    return True


def set_value(code: str, loc: tuple[str | int, ...], value: Any) -> None:
    """Set one value of the working text (a widget callback)."""
    apply_edit(code, lambda text: set_in(text, loc, value))


def flash(message: str, kind: str = "success") -> None:
    """A message shown once, at the top of the next run: Markdown, so every text of a
    definition or typed by the user in it goes through ``plain`` first."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flash() -> None:
    """Show (and forget) the messages of ``flash``."""
    for kind, message in st.session_state.pop("_flash", []):
        getattr(st, kind if kind in ("success", "error", "warning", "info") else "info")(
            message)


def bind(key: str, value: Any, rev: str) -> None:
    """Put ``value`` into widget ``key`` when the text changed since it was last put
    (or the widget is new); otherwise the widget keeps what the user is doing."""
    revs: dict[str, str] = st.session_state.setdefault("_bound", {})
    if key not in st.session_state or revs.get(key) != rev:
        st.session_state[key] = value
        revs[key] = rev


def _department_of(text: str | None) -> str | None:
    tree = tree_of(text) if text is not None else None
    value = tree.get("department") if isinstance(tree, dict) else None
    return value if isinstance(value, str) else None


def editable_codes(user: User) -> dict[str, str]:
    """Code -> "code · name" of every matter ``user`` may edit, and their new drafts."""
    opened = catalog()
    out = {code: f"{code} · {m.name.zh}" for code, m in sorted(opened.matters.items())
           if user.can_edit(m.department)}
    for code in drafts().keys(user.username):
        if code not in opened.matters:
            text, _ = working_text(user, code)
            department = _department_of(text)
            if department is None or user.can_edit(department):
                out[code] = f"{code} · （新建草稿 new draft）"
    return out


def preview_scope(code: str) -> str:
    """The widget scope of the preview's answers of ``code`` (``studio.form_widgets``)."""
    return f"preview:{code}"


def _picked() -> None:
    st.session_state[MATTER] = st.session_state.get("matter_pick")


def pick_matter(user: User) -> str | None:
    """The matter picker (key ``matter_pick``); the choice is shared by every page.

    A matter the user may not edit (chosen elsewhere) is refused with the reason.
    """
    options = editable_codes(user)
    current = st.session_state.get(MATTER)
    refusal = None
    if current is not None and current not in options:
        matter = catalog().matters.get(current)
        denied = edit_refusal(user, [matter.department]) if matter is not None else None
        refusal = plain(refusal_text(denied, catalog())) if denied is not None \
            else f"找不到事项 {plain(current)} (no such matter)"
        current = None
    st.session_state["matter_pick"] = current
    st.selectbox("事项 Matter", list(options), format_func=lambda c: options.get(c, c),
                 key="matter_pick", on_change=_picked, placeholder="请选择事项 Choose a matter")
    if refusal is not None:
        st.error(refusal)
    return current


def open_work() -> Work | None:
    """Pick a matter and open its working text; ``None`` (with a message) when nothing
    can be worked on."""
    user = current_user()
    if user is None:
        st.stop()
    assert user is not None
    code = pick_matter(user)
    if code is None:
        st.info("请选择一个事项 Choose a matter above (或在事项目录中新建 or create one in the "
                "catalog)")
        return None
    text, from_draft = working_text(user, code)
    if text is None:
        st.warning(f"找不到事项 {plain(code)} (no such matter)")
        return None
    opened = catalog()
    published = opened.matters.get(code)
    departments = [d for d in (published.department if published else None,
                               _department_of(text)) if d]
    refusal = edit_refusal(user, departments)
    if refusal is not None:
        st.error(plain(refusal_text(refusal, opened)))
        if from_draft and (published is None or user.can_edit(published.department)):
            # The draft moved the matter to another department: let its author undo that.
            st.button("🗑️ 放弃草稿 Discard draft", key="discard_refused_draft",
                      on_click=discard_draft, args=(user.username, code))
        return None
    file = matter_file(opened, code, text)
    root = catalog_dir()
    check, with_draft = _checked(str(root), str(file), text, catalog_signature(root))
    work = Work(user, code, file, text, from_draft, check, with_draft)
    _warn_unnamed(work)
    return work


def _warn_unnamed(work: Work) -> None:
    """A warning on every authoring page while a field has the stand-in label 新字段:
    publishing would show it to applicants as it is."""
    rows = unnamed_fields(work.tree) if isinstance(work.tree, dict) else []
    if rows:
        paths = "、".join(plain(r.path) for r in rows)
        st.warning(f"⚠️ {len(rows)} 个字段的标签仍是“新字段”，请在发布前填写：{paths} · "
                   f"{len(rows)} field(s) still have the stand-in label 新字段; label them "
                   "before publishing (表单 Fields › 标签 Label)", icon=None)


def open_loaded_work(title: str, caption: str | None = None) -> tuple[Work, RuleSet] | None:
    """The head of a page that runs the draft (preview, playground, examples): title,
    flash, the matter picked, and its checked rules; ``None`` (with the draft's
    errors shown) when the draft does not load."""
    st.title(title)
    if caption:
        st.caption(caption)
    show_flash()
    work = open_work()
    if work is None:
        return None
    rules = work.check.rules
    if rules is None or work.check.matter is None:
        st.error("草稿无法加载，请先在编辑页修改 The draft does not load: fix it in the editor")
        show_errors(work.check.errors)
        return None
    return work, rules


def discard_draft(username: str, code: str) -> None:
    """Forget the user's draft of ``code`` (a widget callback)."""
    drafts().discard(username, code)
    st.session_state.pop("_bound", None)
    flash("草稿已放弃 Draft discarded")


def authoring_guide() -> str | None:
    """The Chinese authoring guide (docs/zh/authoring.md) as Markdown, if this
    installation has it."""
    for path in _GUIDE_FILES:
        if path.is_file():
            # Its links to the other docs lead nowhere inside the studio: their names stay.
            return re.sub(r"\[([^\]]+)\]\((?!https?://)[^)]*\)", r"\1",
                          path.read_text(encoding="utf-8"))
    return None


@st.dialog("填写指南 Authoring guide", width="large")
def _guide_dialog() -> None:
    text = authoring_guide()
    if text is None:
        st.info("此安装未附带填写指南，请查看 formkit 源码中的 docs/zh/authoring.md · This "
                "installation does not include the authoring guide: see docs/zh/authoring.md "
                "in formkit's source")
        return
    with st.container(key="authoring_guide_text"):
        st.markdown(text)  # the project's own document, not text of a definition


def guide_link(key: str) -> None:
    """The link to the authoring guide: it opens in a dialog over the page."""
    if st.button(GUIDE_LINK, key=key, type="tertiary", icon="📖",
                 help="docs/zh/authoring.md：办事指南的每一项写在事项文件的哪里 · how each "
                      "element of a service guide is written in a matter file"):
        _guide_dialog()


def show_check(work: Work) -> Any:
    """The whole-draft check status: one line when clean; when not, the count and the box
    the summary goes in (``show_summary`` fills it once every tab has placed its errors)."""
    where = "草稿 draft" if work.from_draft else "已发布文件 published file"
    if work.check.ok:
        st.success(f"✅ 检查通过 No errors · {where}", icon=None)
        others = len(work.opened.errors)
        if others:
            st.warning(f"目录中其他文件有 {others} 处错误，修正前不能发布 Other files of the "
                       "catalog have errors; nothing can be published until they are fixed")
        return None
    errors = work.check.errors
    st.error(f"❌ {len(errors)} 处错误 errors · {where}")
    return st.expander(f"错误一览 All errors（{len(errors)}）", expanded=True)


# Where each part of a matter is edited: the editor's tab for the first key of a place.
_TABS = {"form": "表单 Fields", "materials": "材料 Materials", "checks": "检查 Checks",
         "route": "流程 Route", "let": "计算值 Let & uses", "uses": "计算值 Let & uses",
         "fees": "收费 Fees", "guide": "办事指南 Guide", "decision_wording": "办事指南 Guide",
         "document_basis": "办事指南 Guide"}
_BASIC = ("code", "name", "kind", "basis", "result", "time_limit", "fee", "channels",
          "max_visits")


def tab_of(loc: tuple[str | int, ...] | None) -> str:
    """The editor tab where the place ``loc`` is edited (the YAML tab for the rest)."""
    first = str(loc[0]) if loc else ""
    return _TABS.get(first) or ("基本信息 Basic" if first in _BASIC else "源码 YAML")


def show_summary(work: Work, box: Any) -> None:
    """Fill ``box`` (from ``show_check``) with one line per error of the draft: an error
    already shown at its place names the place and its tab; the others (a YAML error, an
    example's answer: no box of the editor holds them) are shown here in full."""
    if box is None:
        return
    with box:
        for n, placed in enumerate(work.problems, 1):
            problem = placed.problem
            tab = tab_of(placed.loc)
            other = _other_file(work, placed.error)
            if other is not None:  # a bundle that uses this matter: not edited here
                show_problem(problem, where=True, number=n, file=other)
                continue
            if placed.index in work.placed:
                where = f"**{plain(problem.where_zh)}**：" if problem.where_zh else ""
                st.markdown(f"{n}\\. {where}{plain(problem.zh)}　→ 在「{plain(tab)}」页修改 "
                            f"see the {plain(tab.split(' ', 1)[-1])} tab")
            else:
                show_problem(problem, where=True, number=n, tab=tab)
        guide_link("guide_link_check")


def _other_file(work: Work, error: FormkitError) -> str | None:
    """The catalog-relative name of the file ``error`` is in when that is not the
    draft's (a bundle of 高效办成一件事 naming this matter's fields), else None."""
    span = error.span
    if span is None or not span.file or Path(span.file).resolve() == work.file.resolve():
        return None
    try:
        return Path(span.file).resolve().relative_to(work.opened.root.resolve()).as_posix()
    except ValueError:
        return Path(span.file).name


def show_problem(problem: Problem, *, where: bool = False, number: int | None = None,
                 tab: str | None = None, file: str | None = None) -> None:
    """One error in full, Chinese first: the sentence (after its place, with ``where``),
    the hint, the line with a caret under the place, and the English in a small caption.
    ``file``: the error is in another file (a bundle that uses this matter), said first
    with who changes it."""
    head = f"{number}\\. " if number is not None else ""
    at = ""
    if where and problem.where_zh:
        line = f"（第 {problem.line} 行）" if problem.line else ""
        at = f"**{plain(problem.where_zh)}**{line}："
    elif where and problem.line:
        at = f"第 {problem.line} 行："
    lines = [f"{head}❗ {at}{plain(problem.zh)}"]
    if problem.hint_zh:
        lines.append(f"提示：{plain(problem.hint_zh)}")
    if tab:
        lines.append(f"在「{plain(tab)}」页修改 · see the {plain(tab.split(' ', 1)[-1])} tab")
    if file is not None:
        lines.insert(0, f"“一件事”文件 {plain(file)} 用到了本事项，改动后它将对不上；请与"
                        "中心管理员一起修改该文件后再发布 A bundle uses this matter: "
                        "change its file with the centre before publishing")
    st.markdown("  \n".join(lines))
    if problem.excerpt:
        st.code(problem.excerpt, language="text")
    english = problem.en + (f" · hint: {problem.hint_en}" if problem.hint_en else "")
    if where and problem.where_en:
        english = f"{problem.where_en}" + (f" (line {problem.line})" if problem.line
                                           else "") + f": {english}"
    st.caption(f"English: {plain(english)}")


def show_problems_at(work: Work, prefix: tuple[str | int, ...], *,
                     exact: bool = False, skip: tuple[str | int, ...] | None = None
                     ) -> None:
    """Show in full the draft's errors at ``prefix`` (and inside it, unless ``exact``;
    never inside ``skip``) that no other box has shown in this run."""
    for placed in work.problems:
        loc = placed.loc
        if placed.index in work.placed or loc is None or loc[:len(prefix)] != prefix:
            continue
        if (exact and loc != prefix) or (skip is not None and loc[:len(skip)] == skip):
            continue
        work.placed.add(placed.index)
        show_problem(placed.problem)


def has_problems(work: Work, prefix: tuple[str | int, ...],
                 skip: tuple[str | int, ...] | None = None) -> bool:
    """Whether the draft has an error at ``prefix`` or inside it (not inside ``skip``)."""
    return any(p.loc is not None and p.loc[:len(prefix)] == prefix and not (
        skip is not None and p.loc[:len(skip)] == skip) for p in work.problems)


def show_live(work: Work, errors: Sequence[FormkitError],
              loc: tuple[str | int, ...] | None = None) -> None:
    """The live check of a box's expression, Chinese first, under the box. The draft's
    own error at ``loc`` is the same one (the box saves what it holds): it is counted as
    shown here; without a live error, the draft's errors at ``loc`` are shown instead."""
    for error in errors:
        show_problem(explain(error))
    if loc is None:
        return
    if errors:
        work.placed.update(p.index for p in work.problems if p.loc == loc)
    else:
        show_problems_at(work, loc, exact=True)


def show_errors(errors: Sequence[FormkitError], limit: int = 30) -> None:
    """Each error in Chinese first, at its place in the matter; an expression's error
    also as formkit renders it (the line, a caret under the place, and the hint), a
    definition's with the line of YAML it is on. Nothing is cut off: long lines wrap."""
    for error in errors[:limit]:
        problem = explain(error, _tree_of_file(error))
        expression = error.kind not in ("definition", "io")
        lines = [_headline(problem, english=not expression)]
        if problem.hint and not expression:
            lines.append(f"提示 Hint：{plain(problem.hint)}")
        st.markdown("  \n".join(lines))
        if expression:
            st.code(_shorter(error).render(), language="text", wrap_lines=True)
        elif problem.excerpt:
            st.code(problem.excerpt, language="text")
    if len(errors) > limit:
        st.caption(f"…… 还有 {len(errors) - limit} 处 and {len(errors) - limit} more")


def _headline(problem: Problem, *, english: bool) -> str:
    """``❗ **place**（第 N 行 line N）：Chinese　English``; an expression's English is in
    its rendered error below."""
    at = f"（第 {problem.line} 行 line {problem.line}）" if problem.line and problem.where \
        else ""
    place = f"**{plain(problem.where)}**{at}：" if problem.where else ""
    return f"❗ {place}{plain(problem.zh + ('　' + problem.en if english else ''))}"


def _tree_of_file(error: FormkitError) -> Any:
    """The round-trip tree of the YAML file the error is in (None for a rule library or
    a text typed in a box)."""
    span = error.span
    if span is None or not span.source or not str(span.file or "").endswith(
            (".yaml", ".yml")):
        return None
    tree = tree_of(span.source)
    return tree if isinstance(tree, dict) else None


def _shorter(error: FormkitError) -> FormkitError:
    """``error`` with its file named from the catalog folder, not the whole path."""
    span = error.span
    if span is None or not span.file:
        return error
    try:
        short = str(Path(span.file).resolve().relative_to(catalog_dir().resolve()))
    except (OSError, ValueError):
        return error
    shown = copy.copy(error)
    shown.span = dataclasses.replace(span, file=short)
    return shown


def code_span(text: object) -> str:
    """``text`` (an expression) as Markdown inline code, shown as typed on one line,
    whatever backticks it holds: the fence is longer than any run of them inside."""
    value = re.sub(r"\s+", " ", str(text)).strip()
    if not value:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def row_of(work: Work, path: str) -> list[str] | None:
    """The field path up to its nearest enclosing repeat (where row names are in scope)."""
    from formkit.authoring.steps import field_rows

    rows = {r.path: r for r in field_rows(work.tree)}
    parts = path.split(".")
    for n in range(len(parts) - 1, 0, -1):
        holder = rows.get(".".join(parts[:n]))
        if holder is not None and holder.type == "repeat":
            return parts[:n]
    return None


def expression_errors(work: Work, text: str, want: str = "condition",
                      row: Sequence[str] | None = None) -> list[FormkitError]:
    """The live check of one expression as typed (nothing when the draft cannot load)."""
    if not text.strip() or work.check.rules is None:
        return []
    return check_expression(work.check.rules, text, want, row)


def expr_input(work: Work, label: str, key: str, loc: tuple[str | int, ...], *,
               want: str = "condition", row: Sequence[str] | None = None,
               help: str | None = None, rev: str | None = None) -> str:
    """A text input for an expression at ``loc``, checked live; errors shown under it."""
    value = get_in(work.tree, loc)
    shown = "" if value is None else ("true" if value is True else "false"
                                      if value is False else str(value))
    bind(key, shown, rev or work.rev)
    st.text_input(label, key=key, help=help, on_change=_expr_changed,
                  args=(work.code, key, loc))
    typed = str(st.session_state.get(key) or "")
    show_live(work, expression_errors(work, typed, want, row), loc)
    return typed


def _expr_changed(code: str, key: str, loc: tuple[str | int, ...]) -> None:
    text = str(st.session_state.get(key) or "").strip()
    value: Any = {"true": True, "false": False}.get(text, text) if loc[-1] in (
        "required", "visible", "constraint", "when") else text
    set_value(code, loc, value if value != "" else None)


def text_input(work: Work, label: str, key: str, loc: tuple[str | int, ...], *,
               rev: str | None = None, area: bool = False, help: str | None = None) -> None:
    """A text input bound to the text value at ``loc`` (empty removes it)."""
    value = get_in(work.tree, loc)
    bind(key, "" if value is None else str(value), rev or work.rev)
    widget = st.text_area if area else st.text_input
    widget(label, key=key, help=help, on_change=_text_changed, args=(work.code, key, loc))


def _text_changed(code: str, key: str, loc: tuple[str | int, ...]) -> None:
    set_value(code, loc, str(st.session_state.get(key) or "").strip() or None)


def table_edit(change_set: Any) -> TableEdit:
    """A ``st.data_editor`` change set (``edited_rows``, ``deleted_rows``,
    ``added_rows``) as the engine's ``TableEdit``; ``None`` is no change."""
    change_set = change_set or {}
    return TableEdit(
        edited={int(i): dict(cells) for i, cells in
                (change_set.get("edited_rows") or {}).items()},
        deleted=frozenset(int(i) for i in change_set.get("deleted_rows") or []),
        added=tuple(dict(r) for r in change_set.get("added_rows") or []))


# ---- where a field is used (the editor's rename and delete)


def use_counts(uses: tuple[Use, ...]) -> tuple[int, int]:
    """How many expressions and examples ``uses`` are in (an expression that names the
    field twice is one; so is an example, however many rows)."""
    expressions = len({u.loc for u in uses if u.kind == "expression"})
    return expressions, len({u.loc[1] for u in uses if u.kind != "expression"})


def renamed_text(old_id: str, new_id: str, uses: tuple[Use, ...]) -> str:
    """What a rename did, for the flash after it (text: ``plain`` it there)."""
    expressions, examples = use_counts(uses)
    done = f"已将字段 {old_id} 改名为 {new_id}"
    if not uses:
        return f"{done} · Renamed {old_id} to {new_id}"
    return (f"{done}，并修改了 {expressions} 处表达式和 {examples} 个示例中的引用 · Renamed "
            f"{old_id} to {new_id}, and its uses in {expressions} expression(s) and "
            f"{examples} example(s)")


def library_text(libraries: tuple[LibraryUse, ...], name: str) -> str:
    """The rule libraries that name a renamed field: left alone, for a person to check
    (text: ``plain`` it to flash it)."""
    where = "、".join(f"{u.library}（第 {u.line} 行 line {u.line}，{u.definition}）"
                     for u in libraries)
    return (f"规则库中也出现了 {name}：{where}。规则库不会自动修改，请人工核对 · The rule "
            f"library names '{name}' too; libraries are not changed here: check them by hand")


def use_lines(work: Work, uses: Uses) -> list[str]:
    """One line per expression that uses the field, one for the examples' answers, one per
    expected field error, one per rule library."""
    lines: list[str] = []
    seen: set[tuple[Any, ...]] = set()
    for use in uses.uses:
        if use.kind != "answer" and use.loc not in seen:
            seen.add(use.loc)
            lines.append(f"- {plain(describe(work.tree, use.loc))}：{code_span(use.text)}")
    answered = sorted({int(u.loc[1]) for u in uses.uses if u.kind == "answer"})
    if answered:
        names = "；".join(f"「{plain(_example_name(work, i))}」" for i in answered)
        lines.append(f"- 示例中的填写值（{len(answered)} 个示例）· answers in "
                     f"{len(answered)} example(s)：{names}")
    for lib in uses.libraries:
        lines.append(f"- 规则库 {plain(lib.library)} 第 {lib.line} 行（{plain(lib.definition)}）· "
                     f"rule library {plain(lib.library)}, line {lib.line}："
                     f"{code_span(lib.text)}")
    return lines


def _example_name(work: Work, index: int) -> str:
    name = get_in(work.tree, ("tests", index, "name"))
    return str(name) if name else f"示例 {index + 1}"


def show_uses(work: Work, row: FieldRow) -> None:
    """Under the id: where the field is used, so a rename (which changes them all) or a
    deletion (which leaves them dangling) is done knowingly."""
    uses = field_uses(work.tree, row.path, work.opened.libraries, inside=False)
    if not uses.uses and not uses.libraries:
        st.caption("此字段未被表达式或示例引用 · Not used by any expression or example")
        return
    expressions, examples = use_counts(uses.uses)
    st.caption(f"此字段用在 {expressions} 处表达式和 {examples} 个示例中，改名时一并修改 · "
               f"Used in {expressions} expression(s) and {examples} example(s); renaming "
               "changes them all")
    with st.expander("查看引用位置 Where it is used", expanded=False):
        st.markdown("\n".join(use_lines(work, uses)))


def ask_remove_field(code: str, path: str) -> None:
    """Delete a field no one uses at once; for a used one, ask first (``confirm_remove_field``)."""
    user = current_user()
    text = working_text(user, code)[0] if user is not None else None
    if text is None:
        return
    uses = field_uses(text, path, catalog().libraries)
    if uses.uses or uses.libraries:
        st.session_state["field_remove_pending"] = path
        return
    if apply_edit(code, lambda t: delete_field(t, path)):
        flash(f"已删除字段 {plain(path)} · Field {plain(path)} removed")


def _cancel_remove() -> None:
    st.session_state.pop("field_remove_pending", None)


def confirm_remove_field(work: Work, row: FieldRow) -> None:
    """A dialog: the places a field is used, and a choice to delete it anyway or keep it."""

    @st.dialog("删除字段 Delete a field", width="large", on_dismiss=_cancel_remove)
    def ask() -> None:
        uses = field_uses(work.tree, row.path, work.opened.libraries)
        expressions, examples = use_counts(uses.uses)
        with st.container(key="field_remove_confirm_box"):
            path = plain(row.path)
            st.warning(f"字段「{plain(row.label)}」（{path}）仍在使用中：{expressions} 处表达式，"
                       f"{examples} 个示例。删除后这些表达式会报错，需逐一修改；示例中此字段的"
                       f"填写值会一并删除 · Field {path} is still used in {expressions} "
                       f"expression(s) and {examples} example(s). Deleting it leaves those "
                       "expressions in error until you change them; its answers in the "
                       "examples are deleted with it.", icon="⚠️")
            st.markdown("\n".join(use_lines(work, uses)))
            c1, c2, _ = st.columns([1, 1, 2])
            if c1.button("🗑️ 仍然删除 Delete anyway", key="field_remove_confirm",
                         type="primary"):
                _cancel_remove()
                if apply_edit(work.code, lambda t: delete_field(t, row.path)):
                    flash(f"已删除字段 {path}；引用它的表达式需要修改 · Field {path} "
                          "removed: change the expressions that used it", "warning")
                st.rerun()
            if c2.button("取消 Cancel", key="field_remove_cancel"):
                _cancel_remove()
                st.rerun()
    ask()
