"""A material as one form (the editor's 材料 tab): formkit.authoring.steps.material_form,
save_material, remove_material and material_examples, without Streamlit."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path
from typing import Any

import pytest

from formkit.authoring.drafts import check_draft, load_yaml
from formkit.authoring.steps import (
    get_in,
    material_examples,
    material_form,
    move_item,
    remove_material,
    save_material,
)
from formkit.errors import EditError

ROOT = Path(__file__).resolve().parents[2]
IBR = ROOT / "definitions" / "market_supervision" / "individual_business_registration.yaml"
TEXT = IBR.read_text(encoding="utf-8")
TREE = load_yaml(TEXT)
IDS = [m["id"] for m in TREE["materials"]]
LEASE = IDS.index("lease_contract")
NEW = {"id": "", "name_zh": "营业场所照片", "name_en": "", "form": "original",
       "medium": "electronic", "copies": 2, "required": "when",
       "when": 'premises == "rented"', "tolerable": True, "tolerable_days": 5,
       "commitment": False, "source": "applicant", "notes": "", "template": "",
       "sample": "", "basis": ""}


def passes(text: str, tmp_path: Path) -> None:
    # the matter alone: a bundle that names its materials reports them gone
    # (tests/authoring/test_rename.py), which is the bundle's to follow
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions",
                    ignore=shutil.ignore_patterns("bundles"))
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    target = tmp_path / "definitions" / IBR.relative_to(ROOT / "definitions")
    check, _ = check_draft(tmp_path / "definitions", target, text)
    assert check.ok, [e.render() for e in check.errors]


def test_the_form_of_a_material_reads_its_values_and_defaults() -> None:
    values = material_form(TREE, LEASE)
    assert values["id"] == "lease_contract"
    assert values["name_zh"] == "经营场所租赁合同"
    assert (values["form"], values["required"]) == ("copy", "when")
    assert values["when"] == 'premises == "rented"'
    assert values["tolerable"] is True
    # a new material: the format's defaults
    blank = material_form(TREE, None)
    assert (blank["form"], blank["medium"], blank["copies"], blank["required"],
            blank["source"]) == ("original", "paper", 1, "yes", "applicant")


def test_a_new_material_is_appended_with_only_what_differs_from_the_defaults(
        tmp_path: Path) -> None:
    text, at = save_material(TEXT, None, NEW)
    assert at == len(IDS)
    item = get_in(load_yaml(text), ("materials", at))
    assert dict(item) == {"id": "material", "name": {"zh": "营业场所照片"},
                          "medium": "electronic", "copies": 2,
                          "required": 'premises == "rented"', "tolerable": True,
                          "tolerable_days": 5}
    passes(text, tmp_path)


def test_saving_a_material_unchanged_changes_nothing() -> None:
    for index in range(len(IDS)):
        assert save_material(TEXT, index, material_form(TREE, index))[0] == TEXT


def test_an_edit_changes_only_its_lines_and_keeps_what_the_form_does_not_show() -> None:
    values = material_form(TREE, 0) | {"copies": 2, "form": "original_and_copy"}
    text, at = save_material(TEXT, 0, values)
    assert at == 0
    changed = [ln[:1] + ln[2:] for ln in difflib.ndiff(TEXT.splitlines(), text.splitlines())
               if ln[:1] in "+-"]
    assert changed == ["-    form: original", "+    form: original_and_copy",
                       "-    copies: 1", "+    copies: 2"]
    assert get_in(load_yaml(text), ("materials", 0, "standard", "zh"))  # kept


@pytest.mark.parametrize(("change", "chinese"), [
    # no Chinese name
    ({"name_zh": "  "}, "材料名称（中文）不能为空"),
    # "when" without the condition
    ({"required": "when", "when": ""}, "选择“按条件需要”时，请填写条件"),
    # copies out of the format's range
    ({"copies": 500}, "份数应为 0 至 100 的整数"),
    # not a value of the format (a page that offers only the labelled choices never sends it)
    ({"form": "scan"}, "材料类型只能是 原件、复印件、原件及复印件"),
    ({"medium": "fax"}, "材料形式只能是 纸质、电子、纸质或电子均可"),
    # an id that is not a name
    ({"id": "3rd copy"}, "材料标识只能用字母、数字和下划线"),
    # another material's id
    ({"id": "operator_id"}, "已有标识为 operator_id 的材料"),
    # the v2 keys, as set_material checks them
    ({"tolerable_days": 400}, "容缺补交期限应为 1 至 365 个工作日"),
    ({"template": "/etc/passwd"}, "空白表格应为 http(s) 链接"),
])
def test_a_bad_value_is_refused_in_chinese_and_nothing_is_written(
        change: dict[str, Any], chinese: str) -> None:
    with pytest.raises(EditError) as caught:
        save_material(TEXT, LEASE, material_form(TREE, LEASE) | change)
    assert chinese in caught.value.message
    assert caught.value.message[:1] >= "\u4e00" or caught.value.message.startswith("已")


def test_every_refusal_comes_back_at_once() -> None:
    with pytest.raises(EditError) as caught:
        save_material(TEXT, None, NEW | {"name_zh": "", "copies": -1, "tolerable_days": 0})
    assert caught.value.message.split("；") == [
        "份数应为 0 至 100 的整数", "容缺补交期限应为 1 至 365 个工作日",
        "材料名称（中文）不能为空"]


def test_a_material_gone_meanwhile_is_refused() -> None:
    with pytest.raises(EditError, match="没有第 99 项材料"):
        save_material(TEXT, 98, NEW)


def test_removing_a_material_removes_its_mentions_in_the_examples(tmp_path: Path) -> None:
    named = material_examples(TREE, "lease_contract")
    assert named  # the sample's examples hand it in or expect it tolerated
    text = remove_material(TEXT, LEASE)
    tree = load_yaml(text)
    assert "lease_contract" not in [m["id"] for m in tree["materials"]]
    assert material_examples(tree, "lease_contract") == []
    passes(text, tmp_path)


def test_materials_are_reordered() -> None:
    text = move_item(TEXT, ("materials",), LEASE, -1)
    assert [m["id"] for m in load_yaml(text)["materials"]][LEASE - 1] == "lease_contract"
