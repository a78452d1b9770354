"""User-facing texts, Chinese first with English, by key."""

from __future__ import annotations

from typing import Any

__all__ = ["MESSAGES", "message"]

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("此项为必填项", "this field is required"),
    "unknown_field": ("表单中没有此项", "there is no such field in the form"),
    "not_group": ("应为一组字段", "expected a group of fields"),
    "not_rows": ("应为表格行的列表", "expected a list of rows"),
    "too_many_rows": ("行数不能超过 {max} 行", "at most {max} rows"),
    "too_few_rows": ("至少需要 {min} 行", "at least {min} rows"),
    "not_boolean": ("应填“是”或“否”", "expected yes or no"),
    "not_number": ("应为数字", "expected a number"),
    "not_integer": ("应为整数", "expected a whole number"),
    "number_too_large": ("数值过大（绝对值应小于 {max}）", "too large (must be below {max})"),
    "money_cents": ("金额最多保留两位小数", "an amount has at most two decimals"),
    "not_date": ("日期格式应为 YYYY-MM-DD", "expected a date as YYYY-MM-DD"),
    "not_text": ("应为文字", "expected text"),
    "not_option": ("“{value}”不是可选项", "'{value}' is not one of the options"),
    "too_long": ("内容过长（最多 {max} 字）", "too long (at most {max} characters)"),
    "bad_id_number": ("公民身份号码无效（校验位或出生日期不正确）",
                      "not a valid resident ID number (check digit or birth date)"),
    "bad_uscc": ("统一社会信用代码无效", "not a valid unified social credit code"),
    "bad_mobile": ("手机号码无效（应为11位，以1开头）",
                   "not a valid mobile number (11 digits starting with 1)"),
    "bad_email": ("电子邮箱格式不正确", "not a valid email address"),
    "below_min": ("不能小于 {min}", "must be at least {min}"),
    "above_max": ("不能大于 {max}", "must be at most {max}"),
    "text_too_short": ("至少 {min} 个字", "at least {min} characters"),
    "text_too_long": ("最多 {max} 个字", "at most {max} characters"),
    "constraint": ("填写内容不符合要求", "the value does not meet the requirement"),
    "evaluation_failed": ("规则计算出错：{detail}", "a rule failed: {detail}"),
    "material_absent": ("未提交", "not handed in"),
    "material_copy_for_original": ("需提交原件，仅提交了复印件",
                                   "an original is required; only a copy was handed in"),
    "material_need_both": ("需同时提交原件和复印件", "both the original and a copy are required"),
    "material_need_copy": ("需提交复印件", "a copy is required"),
    "material_copies": ("需 {need} 份，仅提交 {got} 份", "{need} copies required, {got} handed in"),
    "material_unknown": ("材料“{id}”不在本事项的材料清单中，已忽略",
                         "material '{id}' is not on this matter's list; ignored"),
    "material_no_commitment": ("该材料不适用告知承诺，需提交材料本身",
                               "this material cannot be replaced by a signed commitment; "
                               "hand in the material itself"),
    "material_ambiguous": ("材料“{id}”有多个事项需要（{matters}），请注明所属事项；本次未计入",
                           "material '{id}' is needed by several matters ({matters}): name "
                           "the matter; not counted"),
    "material_not_applying": ("材料“{id}”所属的“{matter}”本次不办理，已忽略",
                              "material '{id}' is for '{matter}', which does not apply; "
                              "ignored"),
    "material_other_matter": ("材料“{id}”注明的事项不在本“一件事”中，已忽略",
                              "material '{id}' names a matter not in this bundle; ignored"),
    "group_expected": ("“{name}”部分应为一组字段", "the part '{name}' should be a group of fields"),
    "material_bad_form": ("材料“{id}”的类型“{form}”无效", "material '{id}': unknown form '{form}'"),
}


def message(key: str, lang: str = "zh", **kw: Any) -> str:
    """The text for ``key`` in ``lang`` (``zh`` or ``en``), with ``kw`` filled in."""
    zh, en = MESSAGES[key]
    return (en if lang == "en" else zh).format(**kw)
