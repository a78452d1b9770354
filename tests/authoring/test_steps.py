"""The editing steps behind the authoring pages, without Streamlit (formkit.authoring.steps)."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path
from typing import Any

import pytest

from formkit.authoring.access import Refusal, creation_refusal, edit_refusal
from formkit.authoring.drafts import check_draft, load_yaml
from formkit.authoring.steps import (
    TableEdit,
    add_fee,
    add_field,
    add_item,
    amount_value,
    cond_mode,
    cond_value,
    edit_materials,
    fee_rows,
    field_rows,
    get_in,
    material_rows,
    matter_file,
    move_field,
    move_item,
    nest_field,
    new_matter,
    remove_fee,
    remove_field,
    remove_item,
    set_decision_wording,
    set_document_basis,
    set_fee,
    set_guide,
    set_in,
    set_let,
    set_material,
    set_options,
    unnamed_fields,
)
from formkit.catalog import open_catalog
from formkit.definitions.users import User
from formkit.errors import EditError

ROOT = Path(__file__).resolve().parents[2]
IBR = ROOT / "definitions" / "market_supervision" / "individual_business_registration.yaml"
TEXT = IBR.read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 25)


def user(role: str, department: str | None = None) -> User:
    return User(username="someone", name={"zh": "某人"}, role=role, department=department,
                password="x")


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """Lines removed from ``old`` and lines added in ``new`` (a line diff)."""
    diff = list(difflib.ndiff(old.splitlines(), new.splitlines()))
    return [x[2:] for x in diff if x.startswith("- ")], [x[2:] for x in diff if x.startswith("+ ")]


@pytest.fixture(scope="module")
def opened() -> Any:
    return open_catalog(ROOT / "definitions")


# ---- values set in place, the hand layout kept


def test_set_in_changes_one_line_and_keeps_comments_and_flow_maps() -> None:
    new = set_in(TEXT, ("form", 1, "fields", 0, "label", "zh"), "经营者姓名")
    gone, added = changed_lines(TEXT, new)
    assert gone == ["      - {id: name, type: text, label: {zh: 姓名, en: Name}, required: true, "
                    "max: 30}"]
    assert added == ["      - {id: name, type: text, label: {zh: 经营者姓名, en: Name}, "
                     "required: true, max: 30}"]
    assert new.startswith("# 个体工商户设立登记 办事指南\n")


@pytest.mark.parametrize(("loc", "value", "expected"), [
    # an empty value removes the key
    (("form", 0, "label", "en"), "", {"zh": "申请方式"}),
    # a missing map is created (a label in flow style)
    (("form", 4, "help", "zh"), "可不填", {"zh": "可不填"}),
    # the last key of a label removed: the label goes as a whole
    (("result", "en"), None, {"zh": "营业执照"}),
])
def test_set_in_creates_and_removes(loc: tuple[Any, ...], value: Any, expected: Any) -> None:
    tree = load_yaml(set_in(TEXT, loc, value))
    assert dict(get_in(tree, loc[:-1])) == expected


def test_set_in_removes_an_emptied_label() -> None:
    text = set_in(set_in(TEXT, ("result", "en"), None), ("result", "zh"), None)
    assert "result" not in load_yaml(text)


# ---- fields


def test_field_rows_give_paths_depths_and_places() -> None:
    rows = {r.path: r for r in field_rows(load_yaml(TEXT))}
    assert rows["operator.mobile"].loc == ("form", 1, "fields", 2)
    assert rows["operator.mobile"].depth == 1
    assert rows["family_members"].container and rows["family_members"].type == "repeat"
    assert rows["family_members.relation"].parent == "family_members"


def test_add_field_after_a_field_and_inside_a_group() -> None:
    text, path = add_field(TEXT, "operator.mobile")
    assert path == "operator.new_field"
    text, inner = add_field(text, "agent", inside=True)
    assert inner == "agent.new_field"
    text, second = add_field(text, "agent.new_field")
    assert second == "agent.new_field_2"  # ids stay unique among siblings
    paths = [r.path for r in field_rows(load_yaml(text))]
    assert paths.index("operator.new_field") == paths.index("operator.mobile") + 1
    # a Chinese stand-in label only: the window never shows an English "New field"
    assert "      - {id: new_field, type: text, label: {zh: 新字段}}" in text
    assert "New field" not in text
    check, _ = check_draft(ROOT / "definitions", IBR, text)
    assert check.ok, [e.render() for e in check.errors]
    assert [r.path for r in unnamed_fields(load_yaml(text))] == [
        "operator.new_field", "agent.new_field", "agent.new_field_2"]


def test_a_field_named_since_is_no_longer_unnamed() -> None:
    text, path = add_field(TEXT, "floor_area")
    assert [r.path for r in unnamed_fields(load_yaml(text))] == [path]
    named = set_in(text, ("form", 11, "label", "zh"), "店铺照片")
    assert unnamed_fields(load_yaml(named)) == []
    # a draft made before the stand-in label was Chinese only is caught too
    old = set_in(named, ("form", 11, "label", "en"), "New field")
    assert [r.path for r in unnamed_fields(load_yaml(old))] == [path]
    assert unnamed_fields(load_yaml(TEXT)) == []


def test_add_inside_a_plain_field_is_refused() -> None:
    with pytest.raises(EditError):
        add_field(TEXT, "floor_area", inside=True)


def test_move_remove_and_nest_fields() -> None:
    moved = move_field(TEXT, "agent", -1)
    assert [r.path for r in field_rows(load_yaml(moved))][:2] == ["applicant_role", "agent"]
    assert move_field(TEXT, "applicant_role", -1) == TEXT  # already first: nothing moves
    removed = remove_field(TEXT, "operator.mobile")
    assert "operator.mobile" not in [r.path for r in field_rows(load_yaml(removed))]
    nested, path = nest_field(TEXT, "business_name", "operator")
    assert path == "operator.business_name"
    back, path = nest_field(nested, "operator.business_name", None)
    assert path == "business_name"
    assert [r.path for r in field_rows(load_yaml(back))][-1] == "business_name"


@pytest.mark.parametrize(("path", "into", "code"), [
    ("operator", "operator", "nest-into-self"),  # a group into itself
    ("operator.name", "agent", "duplicate-id"),  # agent already has a `name`
    ("floor_area", "capital", "definition"),  # not a group or a repeat
])
def test_nest_field_refusals(path: str, into: str, code: str) -> None:
    with pytest.raises(EditError) as caught:
        nest_field(TEXT, path, into)
    assert caught.value.code == code


def test_set_options_replaces_the_choices_in_flow_style() -> None:
    text = set_options(TEXT, "organisation", [{"value": "individual", "zh": "个人经营"},
                                              {"value": "", "zh": "ignored"},
                                              {"value": "partner", "zh": "合伙", "en": "P"}])
    assert "      - {value: partner, label: {zh: 合伙, en: P}}" in text
    assert "ignored" not in text


# ---- conditions and fees as typed


@pytest.mark.parametrize(("value", "mode"), [
    (True, ("yes", "")), (False, ("no", "")), ("yes", ("yes", "")), (None, ("", "")),
    ('premises == "rented"', ("when", 'premises == "rented"')),
])
def test_cond_mode(value: Any, mode: tuple[str, str]) -> None:
    assert cond_mode(value) == mode


@pytest.mark.parametrize(("mode", "expression", "default", "written"), [
    ("yes", "", False, True),  # required: true
    ("no", "", False, None),  # the default: the key goes
    ("no", "", True, False),  # visible: false
    ("when", " agent_applies ", False, "agent_applies"),
    ("when", "", False, None),  # nothing typed yet: nothing written
])
def test_cond_value(mode: str, expression: str, default: bool, written: Any) -> None:
    assert cond_value(mode, expression, default) == written


@pytest.mark.parametrize(("typed", "value"), [
    ("0", 0), ("12.5", 12.5), ("", None), ("floor_area * 2", "floor_area * 2")])
def test_amount_value(typed: str, value: Any) -> None:
    assert amount_value(typed) == value


# ---- materials table


def test_material_rows_fill_in_the_defaults() -> None:
    rows = material_rows(load_yaml(TEXT))
    assert rows[0] == {"id": "application_form", "name_zh": "个体工商户登记（备案）申请书",
                       "name_en": "Application form for individual business registration",
                       "form": "original", "medium": "paper", "copies": 1, "required": "true",
                       "tolerable": False, "source": "applicant"}
    assert rows[3]["required"] == 'premises == "rented"'


def test_edit_materials_applies_a_table_edit() -> None:
    text = edit_materials(TEXT, TableEdit(
        edited={1: {"required": 'premises == "rented"', "copies": 2},
                3: {"tolerable": False}},
        added=({"name_zh": "营业场所照片", "form": "copy", "required": "false"},),
        deleted=frozenset({8})))
    rows = {r["id"]: r for r in material_rows(load_yaml(text))}
    assert rows["operator_id"]["required"] == 'premises == "rented"'
    assert rows["operator_id"]["copies"] == 2
    assert rows["lease_contract"]["tolerable"] is False
    assert "agent_id" not in rows
    assert rows["material"] == {**rows["material"], "name_zh": "营业场所照片", "form": "copy",
                                "required": "false"}
    added = get_in(load_yaml(text), ("materials", 8))
    assert "medium" not in added and "copies" not in added  # defaults are not written


# ---- matter-format v2: the 办事指南, itemised fees, the materials' new keys

LEASE = 3  # materials[3] of the sample: lease_contract (tolerable, tolerable_days: 5)
COMMENT = "  # 《市场主体登记管理条例》第十九条：不能当场登记的，3个工作日内予以登记；"


def _kept_layout(old: str, new: str) -> None:
    """The edit left the file's comments and the order of the keys it had."""
    assert new.startswith("# 个体工商户设立登记 办事指南\n")
    assert COMMENT in new
    before, after = load_yaml(old), load_yaml(new)
    assert [k for k in after if k in before] == list(before)


@pytest.mark.parametrize(("step", "loc", "expected"), [
    (lambda t: set_guide(t, "place", "新兴县行政服务中心一楼综合窗口"),
     ("guide", "place"), {"zh": "新兴县行政服务中心一楼综合窗口"}),
    (lambda t: set_guide(t, "hours", "周一至周五 8:30-12:00, 14:30-17:30"),
     ("guide", "hours"), {"zh": "周一至周五 8:30-12:00, 14:30-17:30"}),
    (lambda t: set_guide(t, "conditions", "申请人具有完全民事行为能力"),
     ("guide", "conditions"), {"zh": "申请人具有完全民事行为能力"}),
    (lambda t: set_guide(t, "result_validity", "长期"),
     ("guide", "result_validity"), {"zh": "长期"}),
    (lambda t: set_guide(t, "notes", "可网上预约"), ("guide", "notes"), {"zh": "可网上预约"}),
    (lambda t: set_guide(t, "consult_phone", "0766-2888888"),
     ("guide", "consult_phone"), "0766-2888888"),
    (lambda t: set_guide(t, "complaint_phone", "12345"), ("guide", "complaint_phone"), "12345"),
    (lambda t: set_guide(t, "delivery", ["window", "post", "electronic"]),
     ("guide", "delivery"), ["window", "post", "electronic"]),
    (lambda t: set_guide(t, "service_objects", ["natural_person"]),
     ("guide", "service_objects"), ["natural_person"]),
    (lambda t: set_guide(t, "scope", "county"), ("guide", "scope"), "county"),
    (lambda t: set_guide(t, "online_depth", 4), ("guide", "online_depth"), 4),
    (lambda t: set_guide(t, "appointment", True), ("guide", "appointment"), True),
    (lambda t: set_guide(t, "process", "申请\n\n受理\n审查\n决定\n送达"), ("guide", "process"),
     [{"zh": z} for z in ("申请", "受理", "审查", "决定", "送达")]),
    (lambda t: set_guide(t, "intermediary", ["房产测绘"]), ("guide", "intermediary"),
     [{"zh": "房产测绘"}]),
    (lambda t: add_fee(t, "登记费", "80", "发改价格规〔2016〕2559号"), ("fees", 0),
     {"name": {"zh": "登记费"}, "amount": 80, "basis": {"zh": "发改价格规〔2016〕2559号"}}),
    (lambda t: add_fee(t, "证书工本费", "10 * max(copies - 1, 0)", when="copies > 1"),
     ("fees", 0), {"name": {"zh": "证书工本费"}, "amount": "10 * max(copies - 1, 0)",
                   "when": "copies > 1"}),
    (lambda t: set_fee(add_fee(t, "登记费", "80"), 0, "amount", "12.5"), ("fees", 0, "amount"),
     12.5),
    (lambda t: set_fee(add_fee(t, "登记费", "80"), 0, "basis", "价格文件"),
     ("fees", 0, "basis"), {"zh": "价格文件"}),
    (lambda t: set_material(t, LEASE, "commitment", True),
     ("materials", LEASE, "commitment"), True),
    (lambda t: set_material(t, LEASE, "tolerable_days", 10),
     ("materials", LEASE, "tolerable_days"), 10),
    (lambda t: set_material(t, LEASE, "source", "intermediary"),
     ("materials", LEASE, "source"), "intermediary"),
    (lambda t: set_material(t, LEASE, "template", "forms/lease.docx"),
     ("materials", LEASE, "template"), "forms/lease.docx"),
    (lambda t: set_material(t, LEASE, "sample", "https://example.gov.cn/lease-sample.pdf"),
     ("materials", LEASE, "sample"), "https://example.gov.cn/lease-sample.pdf"),
    (lambda t: set_material(t, LEASE, "basis", "《条例》第十条"),
     ("materials", LEASE, "basis"), {"zh": "《条例》第十条"}),
    (lambda t: set_decision_wording(t, "registration"), ("decision_wording",), "registration"),
    (lambda t: set_document_basis(t, "refusal", "《行政许可法》第三十二条\n"),
     ("document_basis", "refusal"), ["《行政许可法》第三十二条"]),
], ids=lambda v: "-".join(map(str, v)) if isinstance(v, tuple) else None)
def test_a_v2_edit_applies_and_keeps_the_layout(step: Any, loc: tuple[Any, ...],
                                                expected: Any) -> None:
    new = step(TEXT)
    assert get_in(load_yaml(new), loc) == expected
    _kept_layout(TEXT, new)


@pytest.mark.parametrize(("step", "chinese"), [
    (lambda t: set_guide(t, "consult_phone", "请致电"), "咨询电话的格式不对"),
    (lambda t: set_guide(t, "complaint_phone", "12"), "监督投诉电话的格式不对"),
    (lambda t: set_guide(t, "online_depth", 5), "网办深度只能是 1 至 4 级"),
    (lambda t: set_guide(t, "scope", "township"), "通办范围只能是"),
    (lambda t: set_guide(t, "delivery", ["pigeon"]), "送达方式只能是"),
    (lambda t: set_guide(t, "service_objects", ["robot"]), "服务对象只能是"),
    (lambda t: set_guide(t, "weather", "晴"), "办事指南没有"),
    (lambda t: add_fee(t, "", "80"), "收费项目名称不能为空"),
    (lambda t: add_fee(t, "登记费", "-5"), "收费金额应为不小于 0 的元数"),
    (lambda t: add_fee(t, "登记费", ""), "收费金额应为不小于 0 的元数"),
    (lambda t: set_fee(add_fee(t, "登记费", "80"), 0, "name", " "), "收费项目名称不能为空"),
    (lambda t: set_fee(t, 7, "amount", "1"), "没有第 8 个收费项目"),
    (lambda t: set_material(t, LEASE, "tolerable_days", 0), "容缺补交期限应为 1 至 365 个工作日"),
    (lambda t: set_material(t, LEASE, "source", "neighbour"), "材料来源只能是"),
    (lambda t: set_material(t, LEASE, "template", "/etc/passwd"), "空白表格应为"),
    (lambda t: set_material(t, LEASE, "sample", "../../secret.pdf"), "示例样表应为"),
    (lambda t: set_decision_wording(t, "blessing"), "决定文书用语只能是"),
])
def test_a_bad_v2_value_is_refused_in_chinese(step: Any, chinese: str) -> None:
    with pytest.raises(EditError) as caught:
        step(TEXT)
    assert caught.value.message.startswith(chinese), caught.value.message
    assert caught.value.code == "bad-value"


def test_a_label_keeps_its_english_and_an_emptied_guide_goes() -> None:
    text = set_in(TEXT, ("guide",), {"place": {"zh": "一楼", "en": "Ground floor"}})
    text = set_guide(text, "place", "二楼")
    assert get_in(load_yaml(text), ("guide", "place")) == {"zh": "二楼", "en": "Ground floor"}
    assert "guide" not in load_yaml(set_guide(text, "place", ""))


def test_fee_rows_and_removing_the_last_fee_removes_fees() -> None:
    text = add_fee(add_fee(TEXT, "登记费", "80"), "工本费", "10 * copies", "文件", "copies > 0")
    assert fee_rows(load_yaml(text)) == [
        {"name": "登记费", "amount": "80", "basis": "", "when": ""},
        {"name": "工本费", "amount": "10 * copies", "basis": "文件", "when": "copies > 0"}]
    assert "fees" not in load_yaml(remove_fee(remove_fee(text, 1), 0))
    assert load_yaml(text)["fee"] == 0  # `fee` stays: the checks say which one counts


def test_material_defaults_are_not_written() -> None:
    text = set_material(TEXT, LEASE, "commitment", False)
    assert "commitment" not in get_in(load_yaml(text), ("materials", LEASE))
    assert "source" not in get_in(load_yaml(set_material(TEXT, LEASE, "source", "applicant")),
                                  ("materials", LEASE))
    text = set_material(TEXT, LEASE, "tolerable_days", None)
    assert "tolerable_days" not in get_in(load_yaml(text), ("materials", LEASE))


def test_every_v2_edit_together_passes_the_catalog_checks(tmp_path: Path) -> None:
    text = TEXT
    for key, value in (("place", "新兴县行政服务中心一楼综合窗口"), ("hours", "周一至周五"),
                       ("consult_phone", "0766-2888888"), ("complaint_phone", "12345"),
                       ("delivery", ["window", "post"]), ("service_objects", ["natural_person"]),
                       ("scope", "city"), ("online_depth", 3), ("appointment", True),
                       ("process", "申请\n受理\n决定"), ("conditions", "年满十八周岁"),
                       ("result_validity", "长期"), ("notes", "无")):
        text = set_guide(text, key, value)
    text = add_fee(text, "证书工本费", "10 * max(operator_age - 100, 0)", "价格文件")
    text = set_material(text, LEASE, "commitment", True)
    text = set_material(text, LEASE, "source", "other")
    text = set_material(text, LEASE, "basis", "《条例》第十条")
    text = set_material(text, LEASE, "sample", "https://example.gov.cn/sample.pdf")
    text = set_document_basis(text, "decision", "《中华人民共和国行政许可法》第三十八条")
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    target = tmp_path / "definitions" / IBR.relative_to(ROOT / "definitions")
    check, _ = check_draft(tmp_path / "definitions", target, text)
    assert check.ok, [e.render() for e in check.errors]


# ---- checks, route, let


def test_list_items_are_added_moved_and_removed() -> None:
    text = add_item(TEXT, ("checks",), {"when": "floor_area > 5000", "refuse": {"zh": "太大"}})
    assert get_in(load_yaml(text), ("checks", 4, "when")) == "floor_area > 5000"
    assert "refuse: {zh: 太大}" in text
    moved = move_item(text, ("checks",), 4, -4)
    assert get_in(load_yaml(moved), ("checks", 0, "when")) == "floor_area > 5000"
    assert len(get_in(load_yaml(remove_item(moved, ("checks",), 0)), ("checks",))) == 4


def test_set_let_renames_in_place_and_refuses_a_taken_name() -> None:
    text = set_let(TEXT, "operator_age", "age_of_operator", "age(operator.id_number)")
    assert list(load_yaml(text)["let"]) == ["age_of_operator", "agent_applies"]
    added = set_let(TEXT, None, "big_shop", "floor_area > 500")
    assert list(load_yaml(added)["let"])[-1] == "big_shop"
    assert "big_shop" not in load_yaml(set_let(added, "big_shop", "", ""))["let"]
    with pytest.raises(EditError):
        set_let(TEXT, "operator_age", "agent_applies", "true")


# ---- examples


# ---- who may do what


def test_creation_and_edit_refusals(opened: Any) -> None:
    editor = user("editor", "market_supervision")
    assert creation_refusal(opened, editor, "XX-MS-0099", "新事项", "market_supervision",
                            []) is None
    assert creation_refusal(opened, editor, "XX-MS-0001", "x", "market_supervision",
                            []) == Refusal("code-taken", "XX-MS-0001")  # a published matter
    assert creation_refusal(opened, editor, "NEW-1", "x", "market_supervision",
                            ["NEW-1"]) == Refusal("code-taken", "NEW-1")  # a draft
    assert creation_refusal(opened, editor, "bad code", "x", "market_supervision",
                            []) == Refusal("bad-code", "bad code")
    assert creation_refusal(opened, editor, "XX-MS-0099", " ", "market_supervision",
                            []) == Refusal("name-required")
    assert creation_refusal(opened, editor, "XX-MS-0099", "x", "health", []) == \
        Refusal("other-department", "health", "market_supervision")
    assert edit_refusal(user("admin"), ["health"]) is None
    assert edit_refusal(editor, ["market_supervision", "health"]) == \
        Refusal("other-department", "health", "market_supervision")


def test_matter_file_of_a_new_matter_is_in_its_department(opened: Any) -> None:
    assert matter_file(opened, "XX-MS-0001", TEXT) == IBR
    new = 'code: "XX-HE-9"\ndepartment: health\n'
    assert matter_file(opened, "XX-HE-9", new) == opened.root / "health" / "xx-he-9.yaml"



# ---- a new matter


@pytest.mark.parametrize("department", ["market_supervision", "public_security", "health"])
def test_a_blank_new_matter_passes_every_check(opened: Any, department: str) -> None:
    text = new_matter(opened, "XX-NEW-0001", "广告发布登记", department)
    check, with_it = check_draft(ROOT / "definitions", opened.root / department /
                                 "xx-new-0001.yaml", text)
    assert check.ok, [e.render() for e in check.errors]
    assert with_it.errors == []  # the whole catalog still checks cleanly
    assert check.matter is not None
    first = next(d for d in opened.catalog.departments if d.id == department).sections[0]
    assert [s.step for s in check.matter.route] == [[f"{department}.{first.id}"]]
    assert not unnamed_fields(load_yaml(text))


def test_a_new_matter_name_with_a_colon_or_comma_stays_one_text(opened: Any) -> None:
    text = new_matter(opened, "XX-MS-0100", "广告发布登记: 试点, 第一批", "market_supervision")
    assert load_yaml(text)["name"]["zh"] == "广告发布登记: 试点, 第一批"


def test_a_department_without_sections_gets_no_route(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    catalog_file = tmp_path / "definitions" / "catalog.yaml"
    catalog_file.write_text(catalog_file.read_text(encoding="utf-8").replace(
        "departments:\n", "departments:\n  - {id: archives, name: {zh: 档案局}}\n", 1),
        encoding="utf-8")
    opened = open_catalog(tmp_path / "definitions")
    assert opened.errors == [] and "archives" in [d.id for d in opened.catalog.departments]
    text = new_matter(opened, "XX-AR-0001", "档案查询", "archives")
    assert "route" not in load_yaml(text)
    check, _ = check_draft(tmp_path / "definitions",
                           tmp_path / "definitions" / "archives" / "xx-ar-0001.yaml", text)
    assert check.ok, [e.render() for e in check.errors]


def test_a_copy_keeps_the_source_matter(opened: Any) -> None:
    text = new_matter(opened, "XX-MS-0101", "个体工商户变更登记", "market_supervision",
                      copy_of=TEXT)
    tree = load_yaml(text)
    assert (tree["code"], tree["name"]["zh"]) == ("XX-MS-0101", "个体工商户变更登记")
    assert len(tree["form"]) == len(load_yaml(TEXT)["form"])
