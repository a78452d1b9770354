"""Issue #16 item 10: definition and answer text is shown as text, never as markup.

``formkit_studio.safe_text.plain`` is checked on its own (what it escapes, that the
escapes give back the text, that nothing that starts markup is left bare), then the
preview, examples, playground, window, back-office, publish and monitor pages by AppTest
over a catalog whose every text carries a payload of markup (``poison``): each Markdown
element of those pages holds the payload only as ``plain`` writes it. The browser test
``tests/e2e/test_escaping.py`` uses the same catalog and checks what chromium renders.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from formkit_studio.safe_text import WORD_JOINER, plain
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from formkit.cases.service import CaseService, HandedIn
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import open_catalog
from formkit.errors import FormkitError, StoreError

# Markup of every kind Streamlit renders from a string: HTML (an image with a handler, a
# link, a style sheet), Markdown (an image, a link, bold), a Streamlit directive (colour)
# and LaTeX.
PAYLOADS = ('<img src=x onerror=alert(1)>', '<a href="https://evil.example">点我</a>',
            '![img](https://evil.example/x.png)', '[link](https://evil.example)',
            '<style>body{display:none}</style>', '**粗体**', ':red[红]', '$x^2$')
PAYLOAD = " ".join(PAYLOADS)
MATTER = "XX-MS-0001"
MATTER_FILE = Path("market_supervision") / "individual_business_registration.yaml"
# An answer typed into a text field, and the applicant's name, carry it too.
SCOPE_ANSWER = f"日用百货 {PAYLOAD}"
APPLICANT = f"张伟 {PAYLOAD}"


# ---------------------------------------------------------------- the poisoned catalog


def poisoned(text: str) -> str:
    """A definition text with the payload after it."""
    return f"{text}｜{PAYLOAD}"


def _label(label: Any) -> dict[str, str]:
    """A ``{zh, en}`` label (or a missing one, made up) with the payload in both."""
    label = label if isinstance(label, dict) else {"zh": str(label or "说明")}
    return {"zh": poisoned(str(label["zh"])), "en": poisoned(str(label.get("en") or "note"))}


def _fields(fields: list[dict[str, Any]]) -> None:
    for f in fields:
        f["label"] = _label(f.get("label") or {"zh": f["id"]})
        if f["type"] not in ("group", "repeat"):
            f["help"] = _label(f.get("help") or {"zh": "说明", "en": "help"})
        if f["type"] in ("text", "textarea", "number", "integer", "money", "id_number",
                         "mobile", "uscc", "email"):
            f["placeholder"] = _label(f.get("placeholder") or {"zh": "请填写", "en": "type"})
        if f.get("constraint") is not None:
            f["message"] = _label(f.get("message") or {"zh": "不符合要求", "en": "invalid"})
        for option in f.get("options") or []:
            option["label"] = _label(option["label"])
        _fields(f.get("fields") or [])


def poison(definitions: Path) -> None:
    """Put the payload into every text of the catalog (its name, departments and
    sections), of the users' names, and of matter XX-MS-0001: name, result, legal basis,
    the extension's approver, every field's label, help, placeholder, message and option
    labels, every material's name, notes and standard, every check's message, every
    route step's name, the examples' names. Added to the matter: a special procedure
    (its name), a computed field that repeats an answer, and a warning whose condition
    reads that answer, so an answer reaches the page as a value and as a "because"."""
    catalog_file = definitions / "catalog.yaml"
    centre = yaml.safe_load(catalog_file.read_text(encoding="utf-8"))
    centre["name"] = _label(centre["name"])
    for department in centre["departments"]:
        department["name"] = _label(department["name"])
        for section in department.get("sections") or []:
            section["name"] = _label(section["name"])
    catalog_file.write_text(yaml.safe_dump(centre, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")

    users_file = definitions / "users.yaml"
    people = yaml.safe_load(users_file.read_text(encoding="utf-8"))
    for user in people["users"]:
        user["name"] = _label(user["name"])
    users_file.write_text(yaml.safe_dump(people, allow_unicode=True, sort_keys=False),
                          encoding="utf-8")

    matter_file = definitions / MATTER_FILE
    matter = yaml.safe_load(matter_file.read_text(encoding="utf-8"))
    matter["name"] = _label(matter["name"])
    matter["result"] = _label(matter.get("result"))
    matter["basis"] = [poisoned(b) for b in matter.get("basis") or []]
    extension = matter["time_limit"]["extension"]
    extension["approver"] = _label(extension.get("approver"))
    matter["form"].append({"id": "scope_echo", "type": "text",
                           "label": {"zh": "经营范围（复述）", "en": "Scope, repeated"},
                           "value": "business_scope"})
    _fields(matter["form"])
    for material in matter["materials"]:
        for text in ("name", "notes", "standard"):
            material[text] = _label(material.get(text) or {"zh": "要求", "en": "rule"})
    matter["checks"].append({"when": 'business_scope != ""',
                             "warn": {"zh": "请核对经营范围", "en": "Check the scope"}})
    for check in matter["checks"]:
        for kind in ("refuse", "deny", "warn"):
            if kind in check:
                check[kind] = _label(check[kind])
    for step in matter["route"]:
        step["name"] = _label(step.get("name"))
    matter["special_procedures"] = [{"id": "hearing", "name": _label({"zh": "听证"}),
                                     "max_days": 10}]
    for example in matter["tests"]:
        example["name"] = poisoned(example["name"])
    matter_file.write_text(yaml.safe_dump(matter, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")


def officer_case(workspace: Path) -> str:
    """A case of XX-MS-0001 in the poisoned ``workspace`` as the window and the officer
    left it: accepted with the lease to follow and a ground for denial, in review,
    extended and stopped for a hearing, the applicant, the scope and every comment with
    the payload. Its number."""
    opened = open_catalog(workspace / "definitions")
    assert not opened.errors, opened.errors
    prefix = opened.catalog.code_prefix if opened.catalog else "FK"
    store = TinyCaseStore(workspace / "var" / "store", prefix=prefix, fsync=False)
    svc = CaseService(store, opened.work_calendar(),
                      now=lambda: dt.datetime(2026, 11, 25, 10))
    rules = opened.rules_of(MATTER)
    assert rules is not None
    example = next(t for t in rules.matter.tests if "family business" in t.name)
    fields = {**example.fields, "business_scope": SCOPE_ANSWER,
              "operator": {**example.fields["operator"], "is_public_servant": True}}
    handed = [HandedIn(id=m.id, form=m.form, original_sighted=True)
              for m in example.materials]
    case = svc.receive(rules, snapshot_for_case(store, opened, MATTER), fields, handed,
                       actor="clerk", applicant=APPLICANT)
    assert case.state == "accepted", case.state
    svc.start_review(case.number, actor="ms_officer", comment=f"开始审查 {PAYLOAD}")
    svc.extend(case.number, 3, actor="ms_officer", comment=f"延期理由 {PAYLOAD}")
    svc.suspend(case.number, "hearing", actor="ms_officer", comment=f"听证 {PAYLOAD}")
    return case.number


def bare(text: str) -> str:
    """What a page shows of Markdown ``plain`` wrote: the escapes taken off."""
    return re.sub(r"\\(.)", r"\1", text).replace(WORD_JOINER, "")


# ---------------------------------------------------------------- plain()


@pytest.mark.parametrize(("text", "escaped"), [
    ("营业执照", "营业执照"),
    ("because agent_applies（agent_applies = true）",
     "because agent_applies（agent_applies = true）"),
    ("XX-MS-0002 2026-11-25 (copy). 1 + 1 = 2!", "XX-MS-0002 2026-11-25 (copy). 1 + 1 = 2!"),
    ("**粗体** _斜体_ ~~删除~~ `代码`", "\\*\\*粗体\\*\\* \\_斜体\\_ \\~\\~删除\\~\\~ \\`代码\\`"),
    ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)>"),
    ('<a href="https://evil.example">点我</a>',
     f'\\<a href="https:{WORD_JOINER}//evil.example">点我\\</a>'),
    ("![img](https://evil.example/x.png)", f"!\\[img\\](https:{WORD_JOINER}//evil.example/x.png)"),
    ("<style>body{display:none}</style>", "\\<style>body{display\\:none}\\</style>"),
    (":red[红] :small[小] :help", "\\:red\\[红\\] \\:small\\[小\\] \\:help"),
    ("$x^2$ &amp; a|b \\", "\\$x^2\\$ \\&amp; a\\|b \\\\"),
    ("- 列表", "\\- 列表"), ("+ 列表", "\\+ 列表"), ("# 标题", "\\# 标题"),
    ("> 引用", "\\> 引用"), ("1. 第一", "1\\. 第一"), ("12) 第十二", "12\\) 第十二"),
    ("第一行\n\n    第二行\t结束  ", "第一行 第二行 结束"),
    ("www.evil.example a@evil.example",
     f"www{WORD_JOINER}.evil.example a@{WORD_JOINER}evil.example"),
    (":smile: :material/home: :streamlit:",
     f":{WORD_JOINER}smile: :{WORD_JOINER}material/home: :{WORD_JOINER}streamlit:"),
    ("a -> b >= c", f"a -{WORD_JOINER}> b >{WORD_JOINER}= c"),
    (None, ""), (12.5, "12.5"), ("-5", "\\-5"),
])
def test_plain_escapes_what_starts_markup(text: Any, escaped: str) -> None:
    assert plain(text) == escaped


def _bare_markup(escaped: str) -> list[str]:
    """The characters of ``escaped`` that are not escaped and could start markup."""
    tokens = re.findall(r"\\.|.", escaped, re.S)  # an escape pair, or one character
    bare_chars = []
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i > 0 else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if len(token) == 2:
            continue
        if token in "*`~[]<$&|\\" or (token == ":" and re.fullmatch("[A-Za-z]", after)) or (
                token == "_" and not (before.isalnum() and after.isalnum())):
            bare_chars.append(f"{token} at {i}")
    return bare_chars


@given(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")))
       | st.text(alphabet="*_`~[]()<>!#$&|:\\-+.1 \n\tabc红/@w"))
def test_plain_only_escapes_and_gives_the_text_back(text: str) -> None:
    escaped = plain(text)
    # The escapes taken off, the text is back as typed (on one line, trimmed).
    assert bare(escaped) == re.sub(r"[ \t\r\n\v\f\u2028\u2029]+", " ", text).strip()
    # Nothing that starts markup is left bare: each such character has its backslash.
    assert _bare_markup(escaped) == [], escaped
    assert "\n" not in escaped and not re.match(r"[#>+-]|\d{1,9}[.)](\s|$)", escaped)


# ---------------------------------------------------------------- the pages, by AppTest


@pytest.fixture()
def poisoned_workspace(workspace: Path) -> Path:
    poison(workspace / "definitions")
    return workspace


def _markdown_texts(app: AppTest) -> Iterator[tuple[str, str]]:
    """(kind, text) of every element of the main area (the sidebar is app.py's) whose
    text Streamlit reads as Markdown."""
    at = app.main
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title",
                 "header", "subheader"):
        for element in getattr(at, kind):
            yield kind, str(element.value)
    for kind in ("text_input", "text_area", "checkbox", "selectbox", "multiselect", "radio",
                 "number_input", "date_input", "toggle", "button"):
        for element in getattr(at, kind):
            yield f"{kind} label", str(element.label)
            if getattr(element, "help", None):
                yield f"{kind} help", str(element.help)
    for element in at.expander:
        yield "expander", str(element.label)
    for element in at.metric:
        yield "metric label", str(element.label)


def _no_bare_payload(at: AppTest) -> list[str]:
    """The Markdown texts that hold a payload other than as ``plain`` writes it."""
    bad = []
    for kind, text in _markdown_texts(at):
        rest = text.replace(plain(PAYLOAD), "")
        for payload in PAYLOADS:
            rest = rest.replace(plain(payload), "")
        if any(p in rest for p in PAYLOADS) or re.search(r"(?<!\\)(\*\*粗体|<img|<style|<a )",
                                                         rest):
            bad.append(f"{kind}: {text}")
    return bad


def _fill(at: AppTest, scope: str) -> AppTest:
    """Answers that bring out every kind of text: an agent applies for a family business
    in a rented shop (more materials, a tolerated one, a repeat), a large floor area and
    the scope (warnings), a bad mobile number (a field error)."""
    at.selectbox(key=f"{scope}|applicant_role").set_value("agent").run()
    at.text_area(key=f"{scope}|business_scope").input(SCOPE_ANSWER).run()
    at.selectbox(key=f"{scope}|premises").set_value("rented").run()
    at.selectbox(key=f"{scope}|organisation").set_value("family").run()
    at.text_input(key=f"{scope}|floor_area").input("2000").run()
    at.text_input(key=f"{scope}|operator.mobile").input("123").run()
    assert not at.exception, at.exception
    return at


def _fill_preview(at: AppTest) -> AppTest:
    """``_fill`` on the preview, with every required message shown."""
    _fill(at, f"preview:{MATTER}")
    at.toggle(key="pv_show_required").set_value(True).run()
    assert not at.exception, at.exception
    return at


def _on_preview(signed_in: Callable[..., AppTest]) -> AppTest:
    at = signed_in("ms_editor")
    at.session_state["current_matter"] = MATTER
    at.switch_page("views/preview.py").run()
    assert not at.exception, at.exception
    return _fill_preview(at)


def test_the_preview_shows_definition_and_answer_text_as_text(
        poisoned_workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    at = _on_preview(signed_in)
    texts = "\n".join(text for _, text in _markdown_texts(at))
    for shown in (plain(poisoned("个体工商户登记（备案）申请书")),  # a material
                  plain(poisoned("经营场所租赁合同")),  # tolerated
                  plain(poisoned("请核对经营范围")),  # a warning, with its "because"
                  plain(f"（business_scope = {json.dumps(SCOPE_ANSWER, ensure_ascii=False)}）"),
                  plain(SCOPE_ANSWER),  # the computed field
                  plain(poisoned("手机号码")),  # a field error
                  plain(poisoned("登记注册股"))):  # the route
        assert shown in texts, shown
    assert _no_bare_payload(at) == []


def test_the_examples_and_the_playground_show_definition_text_as_text(
        poisoned_workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    at = _on_preview(signed_in)
    at.switch_page("views/examples.py").run()
    assert not at.exception, at.exception
    texts = "\n".join(text for _, text in _markdown_texts(at))
    assert plain(poisoned("operator in person, owned shop, accepted")) in texts
    assert _no_bare_payload(at) == []
    at.text_input(key="ex_name").input(f"新示例 {PAYLOAD}")
    at.button(key="ex_save").click().run()
    assert not at.exception, at.exception
    assert plain(f"新示例 {PAYLOAD}") in "\n".join(text for _, text in _markdown_texts(at))
    assert _no_bare_payload(at) == []
    at.switch_page("views/playground.py").run()
    at.text_input(key="pg_expr").input("business_scope").run()
    assert not at.exception, at.exception
    assert _no_bare_payload(at) == []


def _texts(at: AppTest) -> str:
    return "\n".join(text for _, text in _markdown_texts(at))


def _ran(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert _no_bare_payload(at) == []
    return at


def test_the_window_shows_definition_and_answer_text_as_text(
        poisoned_workspace: Path, signed_in: Callable[..., AppTest],
        monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in("clerk", page="window.py")
    _ran(at.text_input(key="win_query").input(MATTER).run())
    scope = f"new:{MATTER}"
    at.text_input(key=f"{scope}|operator.name").input(APPLICANT)
    _fill(at, scope)
    _ran(at.button(key=f"{scope}|run").click().run())
    texts = _texts(at)
    for shown in (plain(poisoned("新兴县行政服务中心")),  # the title
                  plain(poisoned("个体工商户设立登记")),  # the matter's facts
                  plain(poisoned("市场监督管理局")),
                  f"缺少材料 Missing material：{plain(poisoned('经营者身份证件'))}",
                  f"容缺 To follow：{plain(poisoned('经营场所租赁合同'))}",
                  f"的{plain(poisoned('手机号码'))}：",  # a field error (group的field)
                  f"提示 Warning：{plain(poisoned('请核对经营范围'))}",
                  plain(poisoned("登记注册股"))):  # the route
        assert shown in texts, shown
    # The engine refuses the case, in words that quote the definition.
    with monkeypatch.context() as m:
        def refuse(*args: object, **kwargs: object) -> None:
            raise FormkitError(f"不能立案 {PAYLOAD}: cannot file", hint=f"请核对 {PAYLOAD}")
        m.setattr(CaseService, "receive", refuse)
        _ran(at.button(key=f"{scope}|create").click().run())
    assert at.error[-1].value == ("立案失败 Could not create the case："
                                  + plain(f"不能立案 {PAYLOAD}；请核对 {PAYLOAD}"))
    _ran(at.button(key=f"{scope}|create").click().run())
    number = next(m.value for m in at.metric if m.label == "案件编号 Case number")
    assert plain(poisoned("请核对经营范围")) in _texts(at)

    _ran(at.radio(key="win_mode").set_value("returning").run())
    at.text_input(key="ret_number").input(f"X{PAYLOAD}")
    _ran(at.button(key="ret_open").click().run())
    assert at.error[-1].value == f"找不到案件 Case not found：{plain(f'X{PAYLOAD}'.upper())}"
    at.text_input(key="ret_number").input(number)
    _ran(at.button(key="ret_open").click().run())
    assert f"**申请人 Applicant：** {plain(APPLICANT)} ·" in _texts(at)


def test_the_back_office_shows_definition_and_comment_text_as_text(
        poisoned_workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    number = officer_case(poisoned_workspace)
    at = _ran(signed_in("ms_officer", page="backoffice.py"))
    [queue] = [m.label for m in at.metric if m.label.startswith("登记注册股")]  # a section
    assert queue.startswith(plain(poisoned("登记注册股")))
    at.text_input(key="bo_find").input(number)
    _ran(at.button(key="bo_find_open").click().run())
    texts = _texts(at)
    unit = plain(f"{poisoned('市场监督管理局')}·{poisoned('登记注册股')}")
    for shown in (plain(poisoned("个体工商户设立登记")), plain(APPLICANT),
                  plain(f"延期理由 {PAYLOAD}"), plain(poisoned("登记机关负责人")),
                  plain(poisoned("听证")), f"签署 Sign off：{unit}", f"签署（{unit}）意见",
                  f"**{plain(poisoned('经营场所租赁合同'))}**",
                  f"第1环节 Step 1：{unit}", plain(poisoned("请核对经营范围"))):
        assert shown in texts, shown

    [reason] = [t for t in at.text_area if t.label == "撤回理由 Reason"]
    reason.input(f"申请人书面申请撤回 {PAYLOAD}")
    _ran(at.button(key="bo_end").click().run())
    [confirm] = [w.value for w in at.warning if str(w.value).startswith("确认撤回")]
    assert f"理由：{plain(f'申请人书面申请撤回 {PAYLOAD}')} " in confirm
    _ran(at.button(key="bo_end_no").click().run())

    [sign] = [b for b in at.button if str(b.key).startswith("bo_sign|")]
    _ran(sign.click().run())
    assert at.success[0].value == f"已签署 Signed off：{unit}"


def test_the_publish_page_shows_a_merge_of_definition_text_as_text(
        poisoned_workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    """ms_editor's draft and the admin's publication both change a field's label: the
    refusal names the admin's note, the radio shows the base and both labels as typed.
    (The poison fails three examples: the admin publishes over them, with a reason.)"""
    def on_editor(username: str) -> AppTest:
        app = signed_in(username)
        app.session_state["current_matter"] = MATTER
        app.switch_page("views/editor.py").run()
        assert not app.exception, app.exception
        return app

    mine = f"申请人身份 {PAYLOAD}"
    editor = on_editor("ms_editor")
    editor.text_input(key="field_label_zh").input(mine).run()
    admin = on_editor("admin")
    admin.text_input(key="field_label_zh").input("申请方式（新）").run()
    admin.switch_page("views/publish.py").run()
    admin.checkbox(key="publish_override").check().run()
    admin.text_area(key="publish_override_reason").input(f"示例随后更新 {PAYLOAD}")
    admin.text_input(key="publish_note").input(f"改标签 {PAYLOAD}")
    admin.button(key="publish_button").click().run()
    assert not admin.exception, admin.exception
    assert "已发布 Published" in admin.success[0].value, [e.value for e in admin.error]

    _ran(editor.switch_page("views/publish.py").run())
    assert f"（{plain(f'改标签 {PAYLOAD}')}）" in editor.error[0].value
    pick = editor.radio(key="merge_pick_0")
    def short(text: str) -> str:  # the page shortens a value to 120 characters
        return text if len(text) <= 120 else text[:120] + "……"

    assert pick.label == (f"form\\[applicant_role\\].label.zh（起点 base："
                          f"{plain(short(poisoned('申请方式')))}）")
    assert pick.options == ["保留已发布的 Keep the published：申请方式（新）",
                            f"用我的 Use mine：{plain(short(mine))}"]


def test_the_monitor_shows_a_store_error_as_text(
        poisoned_workspace: Path, signed_in: Callable[..., AppTest],
        monkeypatch: pytest.MonkeyPatch) -> None:
    officer_case(poisoned_workspace)

    def damaged(self: TinyCaseStore) -> None:
        raise StoreError(f"索引文件损坏 {PAYLOAD}", hint=f"运行修复 {PAYLOAD}")

    monkeypatch.setattr(TinyCaseStore, "open_summaries", damaged)
    at = _ran(signed_in("supervisor", page="monitor.py"))
    assert at.error[0].value == ("案件库读取失败 Cannot read the case store："
                                 + plain(f"索引文件损坏 {PAYLOAD}（运行修复 {PAYLOAD}）"))
