"""Generate a synthetic but realistic formkit catalog for the benchmarks.

    python bench/gen_catalog.py OUT_DIR [-n 500] [--seed 1]

writes OUT_DIR/catalog.yaml (30 departments with their sections), OUT_DIR/calendar.yaml,
OUT_DIR/rules/{common,enterprise,family}.rules and N matter files spread over the
departments, OUT_DIR/<department>/<slug>_<n>.yaml. Matters come from six templates:

* licence      行政许可: operator group, shareholders repeat, conditional lease / agent
                materials, a parallel route step (fire + ecology review);
* certificate  行政确认/公共服务: counted in calendar days, a guardian for minors;
* instant      即办件: committed_days 0, a single window step;
* benefit      行政给付: family members repeat, income and asset checks;
* registration 登记: a choice field driving visibility, materials and a fee expression;
* permit       施工/占用许可: date-range constraints and a date-based warning.

Ids, labels, option sets, thresholds and the optional extra fields/materials vary per
matter, so neither YAML parsing nor the expression parse cache sees the same file twice.
Every matter carries three ``tests:`` examples whose expectations follow from how the
example was built (all materials handed in -> accept, one refuse check triggered ->
refuse, one tolerable or required material left out). The output must pass
``formkit validate OUT_DIR --json`` with ``ok: true``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

# ---------------------------------------------------------------------------------------
# YAML output in the hand-written style of definitions/: block structure, flow maps for
# leaf fields and labels.


class Flow(dict):  # type: ignore[type-arg]
    """A mapping written in flow style: {id: x, type: text, ...}."""


class FlowList(list):  # type: ignore[type-arg]
    """A list written in flow style: [window, online]."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


_Dumper.add_representer(
    Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(
    FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def dump(doc: dict[str, Any], header: str) -> str:
    body = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000,
                     default_flow_style=False)
    return f"# {header}\n{body}"


def L(zh: str, en: str | None = None) -> Flow:
    return Flow(zh=zh, en=en) if en else Flow(zh=zh)


# ---------------------------------------------------------------------------------------
# Identifiers with correct check characters (GB 11643, GB 32100).

_ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_USCC_A = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
TODAY = dt.date(2026, 11, 25)


def id_number(rng: random.Random, birth: dt.date, male: bool | None = None) -> str:
    seq = rng.randint(0, 99)
    g = rng.randint(0, 4) * 2 + (1 if (male if male is not None else rng.random() < .5) else 0)
    body = f"445321{birth:%Y%m%d}{seq:02d}{g}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_W, strict=True)) % 11]


def uscc(rng: random.Random, prefix: str = "91") -> str:
    body = prefix + "445321" + "MA" + "".join(rng.choice(_USCC_A) for _ in range(7))
    total = sum(_USCC_A.index(c) * w for c, w in zip(body, _USCC_W, strict=True))
    return body + _USCC_A[(31 - total % 31) % 31]


def mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


SURNAMES = "张王李陈刘黄林梁何罗郑谢冯邓曾彭苏卢蔡潘杜叶余吴周徐"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明",
         "超", "秀英", "华", "建国", "丽华", "晓燕", "志强", "海燕", "国平", "少华", "嘉欣",
         "子豪", "文辉", "淑贞", "永红", "美玲"]
TOWNS = [("xincheng", "新城镇"), ("liuzu", "六祖镇"), ("taiping", "太平镇"),
         ("dongcheng", "东成镇"), ("lezhu", "簕竹镇"), ("tiantang", "天堂镇"),
         ("hetou", "河头镇"), ("chegang", "车岗镇"), ("shuitai", "水台镇"),
         ("rencun", "稔村镇"), ("lidong", "里洞镇"), ("dajiang", "大江镇")]
STREETS = ["裕华路", "东堤北路", "新州大道", "建设路", "环城路", "人民路", "解放路", "惠能北路"]
SHOPS = ["禾丰", "康宁", "便捷达", "恒发", "金穗", "嘉和", "兴隆", "鸿运", "六祖", "翠湖", "天露",
         "南山", "合兴", "锦绣", "汇丰源", "粤兴"]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def birth(rng: random.Random, lo: int, hi: int) -> dt.date:
    """A birth date for someone aged lo..hi on TODAY."""
    year = TODAY.year - rng.randint(lo + 1, hi)
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


def address(rng: random.Random) -> str:
    return f"新兴县{rng.choice(TOWNS)[1]}{rng.choice(STREETS)}{rng.randint(1, 199)}号"


# ---------------------------------------------------------------------------------------
# The catalog: 30 departments.

SECTION_KINDS = [
    ("intake", "综合受理股", "Intake"), ("review", "审核股", "Review"),
    ("approval", "行政审批股", "Approval"), ("field_inspection", "现场核查组", "Inspection"),
    ("certificate", "制证发证股", "Certificates"), ("supervision", "监督管理股", "Supervision"),
]
# id, zh, en, templates hosted, extra sections
DEPARTMENTS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("market_supervision", "市场监督管理局", "Market Supervision Bureau",
     ("licence", "registration", "instant")),
    ("natural_resources", "自然资源局", "Natural Resources Bureau", ("registration", "permit")),
    ("housing", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau",
     ("permit", "licence")),
    ("taxation", "税务局", "Taxation Bureau", ("instant", "registration")),
    ("public_security", "公安局", "Public Security Bureau",
     ("certificate", "instant", "registration")),
    ("hrss", "人力资源和社会保障局", "Human Resources and Social Security Bureau",
     ("instant", "benefit", "certificate")),
    ("civil_affairs", "民政局", "Civil Affairs Bureau", ("benefit", "certificate", "registration")),
    ("health", "卫生健康局", "Health Bureau", ("licence", "certificate")),
    ("fire_rescue", "消防救援大队", "Fire and Rescue Brigade", ("permit", "licence")),
    ("ecology", "生态环境分局", "Ecology and Environment Sub-bureau", ("permit", "licence")),
    ("transport", "交通运输局", "Transport Bureau", ("licence", "permit", "instant")),
    ("agriculture", "农业农村局", "Agriculture and Rural Affairs Bureau",
     ("licence", "benefit", "registration")),
    ("water", "水务局", "Water Affairs Bureau", ("permit", "licence")),
    ("education", "教育局", "Education Bureau", ("licence", "benefit", "certificate")),
    ("culture_tourism", "文化广电旅游体育局", "Culture, Tourism and Sports Bureau",
     ("licence", "registration")),
    ("emergency", "应急管理局", "Emergency Management Bureau", ("licence", "permit")),
    ("industry_commerce", "工业和信息化商务局", "Industry, IT and Commerce Bureau",
     ("licence", "registration")),
    ("development_reform", "发展和改革局", "Development and Reform Bureau",
     ("registration", "permit")),
    ("justice", "司法局", "Justice Bureau", ("certificate", "benefit", "instant")),
    ("forestry", "林业局", "Forestry Bureau", ("permit", "licence")),
    ("veterans", "退役军人事务局", "Veterans Affairs Bureau", ("benefit", "certificate")),
    ("medical_security", "医疗保障局", "Medical Security Bureau", ("instant", "benefit")),
    ("housing_fund", "住房公积金管理中心新兴管理部", "Housing Provident Fund Office",
     ("instant", "benefit")),
    ("urban_management", "城市管理和综合执法局", "Urban Management Bureau",
     ("permit", "licence")),
    ("ethnic_religious", "民族宗教事务局", "Ethnic and Religious Affairs Bureau",
     ("registration", "certificate")),
    ("meteorology", "气象局", "Meteorological Bureau", ("permit", "licence")),
    ("tobacco", "烟草专卖局", "Tobacco Monopoly Bureau", ("licence", "instant")),
    ("disabled_persons_federation", "残疾人联合会", "Disabled Persons' Federation",
     ("certificate", "benefit")),
    ("archives", "档案馆", "Archives", ("instant", "certificate")),
    ("science_technology", "科学技术局", "Science and Technology Bureau",
     ("registration", "benefit")),
]


def catalog_doc() -> dict[str, Any]:
    departments = []
    for i, (dep, zh, en, _) in enumerate(DEPARTMENTS):
        kinds = SECTION_KINDS[: 3 + i % 3] if dep not in ("fire_rescue", "ecology") else []
        sections = [Flow(id=sid, name=L(zh + szh, f"{en} {sen}")) for sid, szh, sen in kinds]
        if dep == "fire_rescue":
            sections = [Flow(id="fire_prevention", name=L("防火监督股", "Fire Prevention")),
                        Flow(id="inspection", name=L("消防监督检查组", "Fire Inspection")),
                        Flow(id="intake", name=L("消防综合受理", "Fire Intake"))]
        if dep == "ecology":
            sections = [Flow(id="eia_approval", name=L("环评审批股", "EIA Approval")),
                        Flow(id="technical_review", name=L("环境工程评估组", "Technical Review")),
                        Flow(id="intake", name=L("生态环境综合受理", "Ecology Intake"))]
        if dep == "civil_affairs":
            sections.append(Flow(id="economic_verification",
                                 name=L("居民家庭经济状况核对中心", "Economic Verification")))
        departments.append({"id": dep, "name": L(zh, en), "sections": sections})
    return {
        "name": L("新兴县行政服务中心（基准测试目录）",
                  "Xinxing County Service Center (benchmark)"),
        "departments": departments,
        "calendar": "calendar.yaml",
        "rules": "rules",
    }


CALENDAR = """\
# local overrides on top of the State Council schedule
closures:
  - {date: "2026-12-31", name: {zh: 中心系统升级停办}}
workdays:
  - {date: "2026-12-19", name: {zh: 周末延时服务日}}
"""

COMMON_RULES = """\
# common.rules -- 通用规则库; every definition is a function of its parameters
let age(idn) = years_between(id_birthdate(idn), today())
let adult(id) = years_between(id_birthdate(id), today()) >= 18
let is_minor(idn) = age(idn) < 18
let under16(idn) = age(idn) < 16
let is_male(idn) = id_gender(idn) == "M"
let is_female(idn) = id_gender(idn) == "F"
let retired(idn) = (is_male(idn) and age(idn) >= 60) or (is_female(idn) and age(idn) >= 55)
let local_resident(idn) = startswith(idn, "4453")
let valid_phone(t) = valid_mobile(t)
let valid_postcode(t) = matches(t, "^[0-9]{6}$")
let within_days_ago(d, n) = d <= today() and days_between(d, today()) <= n
let future_date(d) = d > today()
let bank_card(t) = matches(t, "^[0-9]{16,19}$")
"""

ENTERPRISE_RULES = """\
# enterprise.rules -- 经营主体规则库
use common
let enterprise_code(c) = valid_uscc(c) and startswith(c, "91")
let individual_business_code(c) = valid_uscc(c) and startswith(c, "92")
let cooperative_code(c) = valid_uscc(c) and startswith(c, "93")
let market_entity_code(c) = enterprise_code(c) or individual_business_code(c) or cooperative_code(c)
let registered_locally(c) = valid_uscc(c) and matches(c, "^..445321")
let legal_rep_capable(idn) = adult(idn)
"""

FAMILY_RULES = """\
# family.rules -- 家庭经济状况规则库
use common
let working_age(idn) = 18 <= age(idn) < 60
let per_head(total, people) = if people > 0 then total / people else null
let over_limit(income, people, line) = per_head(income, people) > line
"""


# ---------------------------------------------------------------------------------------
# Building blocks.


def fld(fid: str, ftype: str, zh: str, en: str | None = None, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": fid, "type": ftype, "label": L(zh, en)}
    out.update({k: v for k, v in kw.items() if v is not None})
    nested = "fields" in out or "options" in out
    return out if nested else Flow(out)


def opts(*pairs: tuple[str, str]) -> list[Flow]:
    return [Flow(value=v, label=L(zh)) for v, zh in pairs]


def mat(mid: str, zh: str, *, form: str = "original", medium: str | None = None,
        copies: int | None = None, required: Any = None, tolerable: bool | None = None,
        source: str | None = None, notes: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": mid, "name": L(zh), "form": form}
    if medium:
        out["medium"] = medium
    if copies is not None:
        out["copies"] = copies
    if required is not None:
        out["required"] = required
    if tolerable is not None:
        out["tolerable"] = tolerable
    if source:
        out["source"] = source
    if notes:
        out["notes"] = L(notes)
    return out


def count_fields(fields: list[dict[str, Any]]) -> int:
    return sum(1 + count_fields(f.get("fields", [])) for f in fields)


# Optional top-level fields that pad a form (never required, never in an example).
EXTRA_FIELDS: list[tuple[str, Any]] = [
    ("remarks", lambda r: fld("remarks", "textarea", "备注", "Remarks", max=500)),
    ("contact_email", lambda r: fld("contact_email", "email", "电子邮箱", "E-mail")),
    ("postcode", lambda r: fld("postcode", "text", "邮政编码", "Postcode",
                               constraint="postcode == null or valid_postcode(postcode)",
                               message=L("邮政编码应为6位数字"))),
    ("fax", lambda r: fld("fax", "text", "传真", "Fax", max=20)),
    ("landline", lambda r: fld("landline", "text", "固定电话", "Landline",
                               constraint='landline == null or '
                                          'matches(landline, "^0766-?[0-9]{7,8}$")',
                               message=L("请填写0766开头的固定电话"))),
    ("referral", lambda r: fld("referral", "choice", "获知渠道", "How you heard of us",
                               options=opts(("window", "窗口咨询"), ("online", "粤省事/粤商通"),
                                            ("hotline", "12345热线"), ("other", "其他")))),
    ("preferred_date", lambda r: fld("preferred_date", "date", "预约办理日期", "Preferred date",
                                     constraint="preferred_date == null or "
                                                "preferred_date >= today()",
                                     message=L("预约日期不能早于今天"))),
    ("sms_opt_in", lambda r: fld("sms_opt_in", "boolean", "是否接收短信提醒", "SMS reminders")),
    ("language", lambda r: fld("language", "choice", "服务语言", "Language",
                               options=opts(("zh", "普通话"), ("yue", "粤语"), ("en", "英语")))),
    ("industry_code", lambda r: fld(
        "industry_code", "text", "国民经济行业代码", "Industry code",
        constraint='industry_code == null or matches(industry_code, "^[A-T][0-9]{2,4}$")',
        message=L("行业代码格式如 H6210"))),
    ("emergency_contact", lambda r: fld(
        "emergency_contact", "group", "紧急联系人", "Emergency contact",
        fields=[fld("name", "text", "姓名", "Name", max=30),
                fld("mobile", "mobile", "手机号码", "Mobile")])),
    ("satisfaction", lambda r: fld("satisfaction", "integer", "服务评价（1-5星）", "Rating",
                                   min=1, max=5)),
]

EXTRA_MATERIALS: list[dict[str, Any]] = [
    mat("commitment_letter", "告知承诺书", medium="either", required=False),
    mat("credit_report", "信用报告（无违法违规记录证明）", form="copy", source="government",
        notes="通过信用广东平台核查"),
    mat("tax_clearance", "完税证明", form="copy", source="government", required=False),
    mat("photo", "近期免冠彩色照片", copies=2, required=False),
    mat("other_supporting", "其他证明材料", form="copy", medium="either", required=False),
    mat("service_evaluation", "办事评价表", required=False),
]


def pad(rng: random.Random, form: list[dict[str, Any]], lo: int, hi: int) -> None:
    """Add optional extra fields until the form has between lo and hi fields."""
    target = rng.randint(lo, hi)
    have = {f["id"] for f in form}
    pool = [(k, make) for k, make in EXTRA_FIELDS if k not in have]
    rng.shuffle(pool)
    while count_fields(form) < target and pool:
        _, make = pool.pop()
        f = make(rng)
        if count_fields(form) + count_fields([f]) > hi:
            continue
        form.insert(len(form) - 1, f)


def pad_materials(rng: random.Random, materials: list[dict[str, Any]], lo: int, hi: int) -> None:
    target = rng.randint(lo, hi)
    pool = list(EXTRA_MATERIALS)
    rng.shuffle(pool)
    while len(materials) < target and pool:
        materials.append(dict(pool.pop()))
    assert 5 <= len(materials) <= 15, len(materials)


def handed(materials: list[dict[str, Any]], omit: set[str] = frozenset()) -> list[Flow]:  # type: ignore[assignment]
    """Every applicant material, in its required form and number of copies."""
    out = []
    for m in materials:
        if m.get("source") == "government" or m["id"] in omit:
            continue
        out.append(Flow(id=m["id"], form=m.get("form", "original"), copies=m.get("copies", 1)))
    return out


def pick(rng: random.Random, items: list[Any], lo: int, hi: int) -> list[Any]:
    return rng.sample(items, rng.randint(lo, min(hi, len(items))))


def tolerance_or_missing(rng: random.Random, materials: list[dict[str, Any]], tolerable: str,
                         required: str, fields: dict[str, Any], name_t: str, name_m: str
                         ) -> Flow | dict[str, Any]:
    """Third example: leave out a tolerable material, or a required one."""
    if rng.random() < 0.5:
        return {"name": name_t, "today": TODAY.isoformat(), "fields": fields,
                "materials": handed(materials, {tolerable}),
                "expect": Flow(outcome="accept_with_tolerance", tolerated=FlowList([tolerable]))}
    return {"name": name_m, "today": TODAY.isoformat(), "fields": fields,
            "materials": handed(materials, {required}),
            "expect": Flow(outcome="incomplete", missing=FlowList([required]))}


def sections_of(dep: str) -> list[str]:
    for d in catalog_doc_cache()["departments"]:
        if d["id"] == dep:
            return [s["id"] for s in d["sections"]]
    raise KeyError(dep)


_CAT: dict[str, Any] = {}


def catalog_doc_cache() -> dict[str, Any]:
    if not _CAT:
        _CAT.update(catalog_doc())
    return _CAT


# ---------------------------------------------------------------------------------------
# Template 1: licence (行政许可) with shareholders, lease/agent materials, parallel route.

LICENCE_KINDS = {
    "market_supervision": ("食品经营许可", [("retail", "食品销售"), ("catering", "餐饮服务"),
                                          ("canteen", "单位食堂"), ("central_kitchen", "中央厨房"),
                                          ("delivery", "集体用餐配送")]),
    "health": ("公共场所卫生许可", [("hotel", "住宿场所"), ("bathhouse", "沐浴场所"),
                                   ("salon", "美容美发场所"), ("gym", "游泳健身场所"),
                                   ("catering", "餐饮配套")]),
    "culture_tourism": ("娱乐场所经营许可", [("ktv", "歌舞娱乐场所"), ("arcade", "游艺娱乐场所"),
                                           ("internet_cafe", "上网服务场所"),
                                           ("catering", "娱乐配套餐饮")]),
    "transport": ("道路货物运输经营许可", [("general", "普通货运"), ("container", "集装箱运输"),
                                          ("cold_chain", "冷链运输"), ("large", "大型物件运输")]),
    "tobacco": ("烟草专卖零售许可", [("convenience", "便利店"), ("supermarket", "超市"),
                                    ("kiosk", "报刊亭"), ("catering", "餐饮店兼营")]),
}
GENERIC_LICENCE = ("经营许可", [("retail", "零售"), ("wholesale", "批发"), ("catering", "餐饮"),
                               ("processing", "加工"), ("service", "服务")])
VARIANTS = ["新办", "变更", "延续", "补证"]


def licence(rng: random.Random, n: int, dep: str, dep_zh: str) -> dict[str, Any]:
    stem, kinds = LICENCE_KINDS.get(dep, GENERIC_LICENCE)
    kinds = kinds[:1] + pick(rng, kinds[1:], 2, len(kinds) - 1)
    if not any(k == "catering" for k, _ in kinds):
        kinds.append(("catering", "餐饮"))
    big = rng.choice([300, 500, 800, 1000, 1500])
    parallel_area = rng.choice([200, 300, 500])
    max_area = rng.choice([50_000, 100_000])
    min_cap = rng.choice([0, 1, 10, 30])
    lease_days = rng.choice([90, 180, 365])
    secs = sections_of(dep)
    name = f"{stem}（{rng.choice(VARIANTS)}）"

    form = [
        fld("operator", "group", "经营者", "Operator", fields=[
            fld("entity_name", "text", "经营者名称", "Entity name", required=True, max=100),
            fld("uscc", "uscc", "统一社会信用代码", "USCC", required=True),
            fld("legal_rep", "text", "法定代表人（负责人）", "Legal representative",
                required=True, max=30),
            fld("legal_rep_id", "id_number", "法定代表人身份证号码", "Legal rep ID",
                required=True),
            fld("mobile", "mobile", "联系电话", "Mobile", required=True,
                constraint="valid_phone(operator.mobile)", message=L("请填写11位手机号码")),
            fld("address", "text", "住所", "Domicile", required=True),
            fld("town", "choice", "所在镇街", "Town", required=True,
                options=opts(*[(t, z) for t, z in pick(rng, TOWNS, 4, 8)])),
        ]),
        fld("applicant_role", "choice", "申请方式", "Who applies", required=True,
            options=opts(("legal_rep", "法定代表人（负责人）申请"), ("agent", "委托代理人申请"))),
        fld("agent", "group", "委托代理人", "Agent", visible="by_agent", fields=[
            fld("name", "text", "姓名", "Name", required=True, max=30),
            fld("id_number", "id_number", "身份证号码", "ID number", required=True),
            fld("mobile", "mobile", "手机号码", "Mobile", required=True),
        ]),
        fld("business_kind", "choice", "经营类别", "Business kind", required=True,
            options=opts(*kinds)),
        fld("business_scope", "textarea", "经营范围", "Business scope", required=True, max=2000),
        fld("floor_area", "number", "经营面积（平方米）", "Floor area", required=True,
            constraint=f"floor_area > 0 and floor_area < {max_area}",
            message=L(f"经营面积应大于0且小于{max_area}")),
        fld("premises_rented", "boolean", "经营场所是否租用", "Premises rented", required=True),
        fld("lease_end", "date", "租赁到期日", "Lease ends", visible="premises_rented",
            required=True, constraint="future_date(lease_end)", message=L("租赁合同已到期")),
        fld("registered_capital", "money", "注册资本（万元）", "Registered capital",
            required=True, constraint=f"registered_capital >= {min_cap}"),
        fld("employees", "integer", "从业人员数", "Employees", required=True, min=0, max=10000),
        fld("seats", "integer", "就餐座位数", "Seats", visible='business_kind == "catering"',
            min=0, max=5000),
        fld("shareholders", "repeat", "股东（出资人）", "Shareholders", min=1, max=50, fields=[
            fld("holder_type", "choice", "股东类型", "Type", required=True,
                options=opts(("person", "自然人"), ("company", "法人"))),
            fld("name", "text", "姓名/名称", "Name", required=True, max=100),
            fld("id_number", "id_number", "身份证号码", "ID number",
                visible='holder_type == "person"', required=True),
            fld("uscc", "uscc", "统一社会信用代码", "USCC", visible='holder_type == "company"',
                required=True),
            fld("share", "number", "出资比例（%）", "Share", required=True,
                constraint="share > 0 and share <= 100", message=L("出资比例应在0到100之间")),
            fld("paid_by", "date", "认缴出资期限", "Contribution due"),
        ]),
        fld("declaration", "boolean", "本人承诺所填信息真实有效", "I declare the above is true",
            required=True, constraint="declaration", message=L("请确认承诺")),
    ]
    pad(rng, form, 28, 40)
    lets = {
        "by_agent": 'applicant_role == "agent"',
        "large_premises": f"floor_area > {big}",
        "share_total": "sum(shareholders.share)",
        "minor_holders": 'count(shareholders, holder_type == "person" and not adult(id_number))',
    }
    materials = [
        mat("application_form", f"{stem}申请书", medium="either"),
        mat("business_licence", "营业执照", form="copy", source="government",
            notes="通过政务数据共享平台调取"),
        mat("legal_rep_id_card", "法定代表人身份证件", form="copy"),
        mat("shareholder_ids", "自然人股东身份证件", form="copy",
            required='any(shareholders, holder_type == "person")'),
        mat("articles", "公司章程", medium="either", tolerable=rng.random() < .3),
        mat("lease_contract", "经营场所租赁合同", form="copy", required="premises_rented",
            tolerable=True),
        mat("property_certificate", "经营场所产权证明", form="copy",
            required="not premises_rented"),
        mat("power_of_attorney", "授权委托书", required="by_agent"),
        mat("agent_id_card", "委托代理人身份证件", form="copy", required="by_agent"),
        mat("layout_plan", "经营场所平面布局图", medium="either", required="large_premises"),
        mat("safety_rules", "安全管理制度目录", tolerable=True),
        mat("fire_opinion", "消防安全检查意见书", form="copy",
            required=f'business_kind == "catering" and floor_area > {parallel_area}',
            tolerable=True),
    ]
    pad_materials(rng, materials, 12, 15)
    checks = [
        {"when": "not legal_rep_capable(operator.legal_rep_id)",
         "refuse": L("法定代表人（负责人）须年满十八周岁",
                     "The legal representative must be an adult")},
        {"when": "share_total != 100", "refuse": L("股东出资比例合计应为100%")},
        {"when": "minor_holders > 0", "refuse": L("自然人股东须为完全民事行为能力人")},
        {"when": "premises_rented and lease_end != null and "
                 f"days_between(today(), lease_end) < {lease_days}",
         "warn": L(f"租赁期不足{lease_days}天，请核实")},
        {"when": "large_premises", "warn": L("经营面积较大，请安排现场核查")},
        {"when": "not registered_locally(operator.uscc)", "warn": L("非本县登记的经营主体")},
    ]
    route = [
        {"step": FlowList([f"{dep}.{secs[1]}"]), "name": L("受理审查")},
        {"step": FlowList(["fire_rescue.fire_prevention", "ecology.eia_approval"]),
         "when": f'business_kind == "catering" and floor_area > {parallel_area}',
         "name": L("联合审查"), "days": rng.choice([3, 5])},
    ]
    if rng.random() < .6:
        route.append({"step": FlowList([f"{dep}.{secs[2]}"]), "name": L("审批发证")})

    def fields_for(legal_id: str, rented: bool, kind: str, area: int) -> dict[str, Any]:
        rep = person_name(rng)
        data: dict[str, Any] = {
            "operator": {"entity_name": f"新兴县{rng.choice(SHOPS)}商贸有限公司",
                         "uscc": uscc(rng), "legal_rep": rep, "legal_rep_id": legal_id,
                         "mobile": mobile(rng), "address": address(rng),
                         "town": form[0]["fields"][6]["options"][0]["value"]},
            "applicant_role": "legal_rep", "business_kind": kind,
            "business_scope": "预包装食品、散装食品销售；餐饮服务", "floor_area": area,
            "premises_rented": rented, "registered_capital": min_cap + rng.randint(1, 500),
            "employees": rng.randint(1, 50),
            "shareholders": [
                {"holder_type": "person", "name": person_name(rng),
                 "id_number": holder_id, "share": 60},
                {"holder_type": "company", "name": f"新兴县{rng.choice(SHOPS)}投资有限公司",
                 "uscc": uscc(rng), "share": 40}],
            "declaration": True,
        }
        if rented:
            data["lease_end"] = (TODAY + dt.timedelta(days=lease_days + 400)).isoformat()
        return data

    adult_id = id_number(rng, birth(rng, 25, 60))
    holder_id = id_number(rng, birth(rng, 30, 65))
    minor_id = id_number(rng, birth(rng, 12, 16))
    small = rng.randint(20, min(big, parallel_area) - 1)
    tests = [
        {"name": "rented shop with every material is accepted", "today": TODAY.isoformat(),
         "fields": fields_for(adult_id, True, kinds[0][0], small),
         "materials": handed(materials), "expect": Flow(outcome="accept", missing=FlowList())},
        {"name": "a minor legal representative is refused", "today": TODAY.isoformat(),
         "fields": fields_for(minor_id, False, kinds[0][0], small),
         "materials": handed(materials), "expect": Flow(outcome="refuse", refusals=1)},
        tolerance_or_missing(rng, materials, "lease_contract", "application_form",
                             fields_for(adult_id, True, kinds[0][0], small),
                             "lease contract handed in later is tolerated",
                             "no application form is incomplete"),
    ]
    return {
        "name": L(name), "kind": "administrative_licensing",
        "basis": ["《中华人民共和国行政许可法》", f"《{stem}管理办法》"],
        "time_limit": Flow(unit="working_days", statutory_days=rng.choice([15, 20, 30]),
                           committed_days=rng.choice([3, 5, 7, 10])),
        "fee": 0, "channels": FlowList(pick(rng, ["window", "online", "self_service"], 1, 3)),
        "max_visits": rng.choice([0, 1]), "result": L(f"{stem}证"),
        "uses": FlowList(["common", "enterprise"]), "let": lets, "form": form,
        "materials": materials, "checks": checks, "route": route, "tests": tests,
    }


# ---------------------------------------------------------------------------------------
# Template 2: certificate in calendar days, with a guardian for minors.

CERTS = ["无犯罪记录证明", "出生医学证明补发", "残疾人证核发", "退役军人优待证", "学历证明",
         "婚姻状况证明", "亲属关系证明", "健康证明", "档案查阅证明", "居住证明"]


def certificate(rng: random.Random, n: int, dep: str, dep_zh: str) -> dict[str, Any]:
    stem = rng.choice(CERTS)
    purposes = [("employment", "就业"), ("abroad", "出国（境）"), ("study", "升学"),
                ("adoption", "收养"), ("visa", "签证")]
    purposes = [*purposes[:2], *pick(rng, purposes[2:], 1, 3), ("other", "其他")]
    guardian_age = rng.choice([16, 18])
    secs = sections_of(dep)
    form = [
        fld("applicant", "group", "申请人", "Applicant", fields=[
            fld("name", "text", "姓名", "Name", required=True, max=30),
            fld("id_number", "id_number", "公民身份号码", "ID number", required=True),
            fld("mobile", "mobile", "手机号码", "Mobile", required=True),
            fld("address", "text", "现住址", "Address", required=True),
            fld("former_name", "text", "曾用名", "Former name", max=30),
        ]),
        fld("purpose", "choice", "证明用途", "Purpose", required=True, options=opts(*purposes)),
        fld("destination", "text", "前往国家（地区）", "Destination",
            visible='purpose == "abroad"', required=True),
        fld("purpose_other", "text", "其他用途说明", "Other purpose",
            visible='purpose == "other"', required=True, max=200),
        fld("copies", "integer", "份数", "Copies", required=True, min=1, max=5),
        fld("reissue", "boolean", "是否补发", "Reissue", required=True),
        fld("lost_reason", "textarea", "遗失（损毁）原因", "Why reissued", visible="reissue",
            required=True, constraint="len(lost_reason) >= 5",
            message=L("请简要说明原因（至少5个字）")),
        fld("original_no", "text", "原证明编号", "Original number", visible="reissue",
            constraint='original_no == null or matches(original_no, "^[A-Z]{0,2}[0-9]{6,12}$")'),
        fld("issued_on", "date", "原证明签发日期", "Originally issued", visible="reissue",
            constraint="issued_on == null or issued_on <= today()"),
        fld("guardian", "group", "监护人", "Guardian", visible="needs_guardian", fields=[
            fld("name", "text", "姓名", "Name", required=True),
            fld("id_number", "id_number", "公民身份号码", "ID number", required=True,
                constraint="adult(guardian.id_number)", message=L("监护人须年满十八周岁")),
            fld("relation", "choice", "与申请人关系", "Relation", required=True,
                options=opts(("father", "父亲"), ("mother", "母亲"), ("other", "其他监护人"))),
            fld("mobile", "mobile", "手机号码", "Mobile", required=True),
        ]),
        fld("collect", "choice", "领取方式", "How to collect", required=True,
            options=opts(("window", "窗口领取"), ("mail", "邮寄"))),
        fld("mail_address", "text", "邮寄地址", "Mail address", visible='collect == "mail"',
            required=True),
        fld("consent", "boolean", "同意查询本人相关信息", "Consent to checks", required=True,
            constraint="consent", message=L("须同意信息核查")),
    ]
    pad(rng, form, 22, 34)
    lets = {
        "applicant_age": "age(applicant.id_number)",
        "needs_guardian": f"applicant_age < {guardian_age}",
        "many_copies": f"copies > {rng.choice([2, 3])}",
    }
    materials = [
        mat("application_form", f"{stem}申请表", medium="either"),
        mat("id_card", "申请人身份证件", form="original_and_copy"),
        mat("household_register", "居民户口簿", form="copy",
            required=rng.choice([True, "needs_guardian"])),
        mat("guardian_id", "监护人身份证件", form="copy", required="needs_guardian"),
        mat("guardianship_proof", "监护关系证明", required="needs_guardian", tolerable=True),
        mat("loss_statement", "遗失声明", required="reissue", tolerable=True),
        mat("abroad_invitation", "境外邀请函或录取通知书", form="copy",
            required='purpose == "abroad"', tolerable=True),
        mat("photo_receipt", "数码照片回执", tolerable=True),
    ]
    pad_materials(rng, materials, 8, 13)
    checks = [
        {"when": "needs_guardian and guardian.id_number == applicant.id_number",
         "refuse": L("监护人不能是申请人本人")},
        {"when": "reissue and issued_on != null and within_days_ago(issued_on, 30)",
         "refuse": L("原证明签发未满30日，不予补发")},
        {"when": "many_copies", "warn": L("申请份数较多，请核实用途")},
        {"when": 'purpose == "abroad" and not (destination != null and len(destination) > 1)',
         "warn": L("请核实前往国家（地区）")},
    ]
    route = [{"step": FlowList([f"{dep}.{secs[0]}"]), "name": L("受理核查")}]
    if rng.random() < .5:
        route.append({"step": FlowList([f"{dep}.{secs[-1]}"]), "name": L("出具证明")})

    def fields_for(age_lo: int, age_hi: int, reissue: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "applicant": {"name": person_name(rng),
                          "id_number": id_number(rng, birth(rng, age_lo, age_hi)),
                          "mobile": mobile(rng), "address": address(rng)},
            "purpose": "employment", "copies": 1, "reissue": reissue, "collect": "window",
            "consent": True,
        }
        if reissue:
            data["lost_reason"] = "原证明不慎遗失"
            data["issued_on"] = (TODAY - dt.timedelta(days=10)).isoformat()
        return data

    tests = [
        {"name": "adult applicant with every material is accepted", "today": TODAY.isoformat(),
         "fields": fields_for(20, 60, False), "materials": handed(materials),
         "expect": Flow(outcome="accept", missing=FlowList())},
        {"name": "reissue within 30 days of issue is refused", "today": TODAY.isoformat(),
         "fields": fields_for(20, 60, True), "materials": handed(materials),
         "expect": Flow(outcome="refuse", refusals=1)},
        tolerance_or_missing(rng, materials, "photo_receipt", "id_card",
                             fields_for(20, 60, False), "photo receipt later is tolerated",
                             "no identity card is incomplete"),
    ]
    return {
        "name": L(stem), "kind": rng.choice(["administrative_confirmation", "public_service"]),
        "time_limit": Flow(unit="calendar_days", statutory_days=rng.choice([20, 30, 60]),
                           committed_days=rng.choice([5, 7, 10, 15])),
        "fee": 0, "channels": FlowList(pick(rng, ["window", "online", "mail"], 1, 3)),
        "max_visits": 1, "result": L(stem), "uses": FlowList(["common"]), "let": lets,
        "form": form, "materials": materials, "checks": checks, "route": route, "tests": tests,
    }


# ---------------------------------------------------------------------------------------
# Template 3: 即办件 (committed_days 0).

INSTANT = ["社会保障卡补换", "个人参保证明打印", "医保关系转移接续", "公积金缴存证明",
           "纳税证明开具",
           "档案查询", "居民身份证挂失", "发票领用", "电子证照打印", "烟草许可证信息查询"]


def instant(rng: random.Random, n: int, dep: str, dep_zh: str) -> dict[str, Any]:
    stem = rng.choice(INSTANT)
    banks = pick(rng, [("icbc", "工商银行"), ("abc", "农业银行"), ("boc", "中国银行"),
                       ("ccb", "建设银行"), ("rcb", "农村商业银行"), ("psbc", "邮储银行")], 3, 6)
    reasons = [("lost", "遗失"), ("damaged", "损坏"), ("expired", "到期换发"), ("other", "其他")]
    secs = sections_of(dep)
    card_re = rng.choice(['"^[A-Z0-9]{9}$"', '"^[0-9]{9,12}$"', '"^[A-Z][0-9]{8}$"'])
    form = [
        fld("applicant", "group", "申请人", "Applicant", fields=[
            fld("name", "text", "姓名", "Name", required=True),
            fld("id_number", "id_number", "公民身份号码", "ID number", required=True),
            fld("mobile", "mobile", "手机号码", "Mobile", required=True),
            fld("hukou_local", "boolean", "是否本县户籍", "Local household", required=True),
        ]),
        fld("service", "choice", "办理事项", "Service", required=True,
            options=opts(("first", "首次申领"), ("replace", "补领换领"), ("print", "打印证明"))),
        fld("card_number", "text", "原卡（证）号", "Card number",
            visible='service in ["replace", "print"]', required=True,
            constraint=f"matches(card_number, {card_re})", message=L("卡号格式不正确")),
        fld("bank", "choice", "服务银行", "Bank", required=True, options=opts(*banks)),
        fld("reason", "choice", "补换原因", "Reason", visible='service == "replace"',
            required=True, options=opts(*reasons)),
        fld("reason_other", "text", "其他原因", "Other reason",
            visible='service == "replace" and reason == "other"', required=True),
        fld("mail", "boolean", "是否邮寄", "Mail it", required=True),
        fld("mail_to", "group", "邮寄信息", "Mail to", visible="mail", fields=[
            fld("recipient", "text", "收件人", "Recipient", required=True),
            fld("mobile", "mobile", "收件人手机", "Mobile", required=True),
            fld("address", "text", "收件地址", "Address", required=True),
            fld("postcode", "text", "邮政编码", "Postcode",
                constraint="mail_to.postcode == null or valid_postcode(mail_to.postcode)"),
        ]),
        fld("ack", "boolean", "已阅读办事须知", "Read the notice", required=True,
            constraint="ack"),
    ]
    pad(rng, form, 16, 26)
    lets = {"replacing": 'service == "replace"',
            "under_age": f"age(applicant.id_number) < {rng.choice([16, 18])}"}
    materials = [
        mat("id_card", "居民身份证", form="original", medium="paper"),
        mat("application_form", f"{stem}申请表", medium="either", tolerable=True),
        mat("old_card", "原卡（证）", required='replacing and reason != "lost"'),
        mat("guardian_id", "监护人身份证件", form="copy", required="under_age"),
        mat("household_register", "户口簿", form="copy", required="not applicant.hukou_local"),
    ]
    pad_materials(rng, materials, 5, 8)
    checks = [
        {"when": "not valid_id_number(applicant.id_number)", "refuse": L("身份证号码无效")},
        {"when": 'replacing and reason == "expired" and not applicant.hukou_local',
         "warn": L("非本县户籍到期换发，请核实社保关系")},
    ]
    route = [{"step": FlowList([f"{dep}.{secs[0]}"]), "name": L("窗口即办")}]

    def fields_for(idn: str) -> dict[str, Any]:
        return {"applicant": {"name": person_name(rng), "id_number": idn, "mobile": mobile(rng),
                              "hukou_local": True},
                "service": "first", "bank": banks[0][0], "mail": False, "ack": True}

    bad = id_number(rng, birth(rng, 20, 60))
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")  # wrong check digit
    tests = [
        {"name": "first card at the window is accepted", "today": TODAY.isoformat(),
         "fields": fields_for(id_number(rng, birth(rng, 20, 70))), "materials": handed(materials),
         "expect": Flow(outcome="accept", missing=FlowList())},
        {"name": "an invalid ID number is refused", "today": TODAY.isoformat(),
         "fields": fields_for(bad), "materials": handed(materials),
         "expect": Flow(outcome="refuse", refusals=1)},
        tolerance_or_missing(rng, materials, "application_form", "id_card",
                             fields_for(id_number(rng, birth(rng, 20, 70))),
                             "form filled in later is tolerated", "no ID card is incomplete"),
    ]
    return {
        "name": L(stem), "kind": "public_service",
        "time_limit": Flow(unit="working_days", statutory_days=rng.choice([1, 3, 5]),
                           committed_days=0),
        "fee": 0, "channels": FlowList(pick(rng, ["window", "online", "self_service"], 1, 3)),
        "max_visits": rng.choice([0, 1]), "uses": FlowList(["common"]), "let": lets,
        "form": form, "materials": materials, "checks": checks, "route": route, "tests": tests,
    }


# ---------------------------------------------------------------------------------------
# Template 4: benefit with family members and income checks.

BENEFITS = ["最低生活保障审核确认", "特困人员救助供养", "临时救助", "困难残疾人生活补贴",
            "重度残疾人护理补贴", "高龄津贴", "义务教育阶段家庭经济困难学生资助",
            "退役军人困难帮扶",
            "医疗救助", "就业困难人员社保补贴"]


def benefit(rng: random.Random, n: int, dep: str, dep_zh: str) -> dict[str, Any]:
    stem = rng.choice(BENEFITS)
    line = rng.choice([900, 960, 1000, 1080, 1150, 1250])
    asset_limit = rng.choice([30000, 50000, 60000, 80000])
    vehicle_limit = rng.choice([30000, 50000])
    relations = [("spouse", "配偶"), ("child", "子女"), ("parent", "父母"), ("sibling", "兄弟姐妹"),
                 ("grandchild", "孙子女"), ("other", "其他共同生活成员")]
    secs = sections_of(dep)
    use_family = rng.random() < .6
    over = (f"over_limit(total_income, people, {line})" if use_family
            else f"per_capita > {line}")
    working = "working_age(id_number)" if use_family else "18 <= age(id_number) < 60"
    form = [
        fld("applicant", "group", "申请人", "Applicant", fields=[
            fld("name", "text", "姓名", "Name", required=True),
            fld("id_number", "id_number", "公民身份号码", "ID number", required=True),
            fld("mobile", "mobile", "手机号码", "Mobile", required=True),
            fld("town", "choice", "户籍所在镇", "Town", required=True,
                options=opts(*pick(rng, TOWNS, 5, 12))),
            fld("address", "text", "家庭住址", "Address", required=True),
            fld("hukou", "choice", "户籍性质", "Household type", required=True,
                options=opts(("urban", "城镇"), ("rural", "农村"))),
        ]),
        fld("marital", "choice", "婚姻状况", "Marital status", required=True,
            options=opts(("single", "未婚"), ("married", "已婚"), ("divorced", "离异"),
                         ("widowed", "丧偶"))),
        fld("members", "repeat", "共同生活家庭成员", "Household members", min=0, max=20, fields=[
            fld("name", "text", "姓名", "Name", required=True),
            fld("id_number", "id_number", "公民身份号码", "ID number", required=True),
            fld("relation", "choice", "与申请人关系", "Relation", required=True,
                options=opts(*relations)),
            fld("monthly_income", "money", "月收入（元）", "Monthly income", required=True,
                constraint="monthly_income >= 0"),
            fld("employed", "boolean", "是否就业", "Employed", required=True),
            fld("disabled", "boolean", "是否残疾", "Disabled", required=True),
            fld("disability_level", "choice", "残疾等级", "Disability level", visible="disabled",
                required=True, options=opts(("1", "一级"), ("2", "二级"), ("3", "三级"),
                                            ("4", "四级"))),
            fld("in_school", "boolean", "是否在校学生", "In school"),
        ]),
        fld("applicant_income", "money", "申请人月收入（元）", "Applicant income", required=True,
            constraint="applicant_income >= 0"),
        fld("applicant_employed", "boolean", "申请人是否就业", "Applicant employed", required=True),
        fld("household_assets", "money", "家庭存款及有价证券（元）", "Savings", required=True,
            constraint="household_assets >= 0"),
        fld("owns_vehicle", "boolean", "是否拥有机动车", "Owns a vehicle", required=True),
        fld("vehicle_value", "money", "车辆估值（元）", "Vehicle value", visible="owns_vehicle",
            required=True),
        fld("housing_count", "integer", "家庭拥有住房套数", "Homes owned", required=True, min=0,
            max=20),
        fld("bank_name", "text", "开户银行", "Bank", required=True),
        fld("bank_account", "text", "银行账号", "Account", required=True,
            constraint="bank_card(bank_account)", message=L("银行账号应为16至19位数字")),
        fld("household_size", "integer", "家庭人口数", "Household size",
            value="len(members) + 1"),
        fld("consent", "boolean", "授权核对家庭经济状况", "Consent to verification",
            required=True, constraint="consent"),
    ]
    pad(rng, form, 30, 40)
    lets = {
        "people": "len(members) + 1",
        "total_income": "applicant_income + sum(members.monthly_income)",
        "per_capita": "total_income / people",
        "has_disabled": "any(members, disabled)",
        "idle_working_age": f"count(members, {working} and not employed "
                            "and not disabled and not in_school)",
        "severe": 'any(members, disabled and disability_level in ["1", "2"])',
    }
    materials = [
        mat("application_form", f"{stem}申请书", medium="either"),
        mat("verification_consent", "家庭经济状况核对授权书"),
        mat("id_cards", "家庭成员身份证件", form="copy"),
        mat("household_register", "户口簿", form="copy"),
        mat("income_proof", "收入证明", required="any(members, monthly_income > 0) or "
            "applicant_income > 0", tolerable=True),
        mat("disability_certificate", "残疾人证", form="copy", required="has_disabled"),
        mat("school_certificate", "在校证明", required="any(members, in_school)", tolerable=True),
        mat("marriage_certificate", "结婚证", form="copy", required='marital == "married"'),
        mat("bank_card_copy", "银行卡（存折）", form="copy"),
        mat("housing_record", "住房情况查询结果", form="copy", source="government"),
    ]
    pad_materials(rng, materials, 10, 15)
    checks = [
        {"when": over, "refuse": L(f"家庭月人均收入高于当地保障标准（{line}元）")},
        {"when": f"household_assets > {asset_limit} * people",
         "refuse": L("家庭财产超过规定标准")},
        {"when": f"owns_vehicle and vehicle_value > {vehicle_limit}",
         "refuse": L("拥有非生活必需车辆")},
        {"when": "housing_count > 1", "warn": L("拥有两套以上住房，请入户核查")},
        {"when": "idle_working_age > 0", "warn": L("有劳动能力未就业成员，请核实就业意愿")},
        {"when": "severe", "warn": L("有一、二级残疾成员，可同时申请护理补贴")},
    ]
    route = [
        {"step": FlowList([f"{dep}.{secs[0]}"]), "name": L("受理")},
        {"step": FlowList(["civil_affairs.economic_verification", f"{dep}.{secs[1]}"]),
         "name": L("经济状况核对与入户调查"), "days": 10},
    ]
    if rng.random() < .5:
        route.append({"step": FlowList([f"{dep}.{secs[2]}"]), "name": L("审核确认")})

    def fields_for(income: int) -> dict[str, Any]:
        child = birth(rng, 6, 14)
        return {
            "applicant": {"name": person_name(rng), "id_number": id_number(rng, birth(rng, 30, 55)),
                          "mobile": mobile(rng),
                          "town": form[0]["fields"][3]["options"][0]["value"],
                          "address": address(rng), "hukou": "rural"},
            "marital": "single",
            "members": [{"name": person_name(rng), "id_number": id_number(rng, child),
                         "relation": "child", "monthly_income": 0, "employed": False,
                         "disabled": False, "in_school": True}],
            "applicant_income": income, "applicant_employed": True, "household_assets": 2000,
            "owns_vehicle": False, "housing_count": 1, "bank_name": "农村商业银行",
            "bank_account": "62" + "".join(rng.choice("0123456789") for _ in range(17)),
            "consent": True,
        }

    tests = [
        {"name": "a low-income single parent is accepted", "today": TODAY.isoformat(),
         "fields": fields_for(line), "materials": handed(materials),
         "expect": Flow(outcome="accept", missing=FlowList())},
        {"name": "income above the line is refused", "today": TODAY.isoformat(),
         "fields": fields_for(line * 2 + 200), "materials": handed(materials),
         "expect": Flow(outcome="refuse", refusals=1)},
        tolerance_or_missing(rng, materials, "income_proof", "verification_consent",
                             fields_for(line), "income proof later is tolerated",
                             "no consent form is incomplete"),
    ]
    return {
        "name": L(stem), "kind": "administrative_payment",
        "basis": ["《社会救助暂行办法》"],
        "time_limit": Flow(unit="working_days", statutory_days=rng.choice([30, 45]),
                           committed_days=rng.choice([15, 20, 25])),
        "fee": 0, "channels": FlowList(pick(rng, ["window", "online"], 1, 2)), "max_visits": 1,
        "result": L(f"{stem}决定书"),
        "uses": FlowList(["common", "family"] if use_family else ["common"]), "let": lets,
        "form": form, "materials": materials, "checks": checks, "route": route, "tests": tests,
    }


# ---------------------------------------------------------------------------------------
# Template 5: registration with a choice field and a fee expression.

REGISTRATIONS = ["不动产登记", "机动车抵押登记", "农村土地承包经营权登记", "社会组织登记",
                 "宗教活动场所登记", "科技型企业入库登记", "户口迁移登记", "旅行社分社备案登记",
                 "价格认定登记", "不动产抵押登记"]


def registration(rng: random.Random, n: int, dep: str, dep_zh: str) -> dict[str, Any]:
    stem = rng.choice(REGISTRATIONS)
    types = [("first", "首次登记"), ("transfer", "转移登记"), ("change", "变更登记"),
             ("mortgage", "抵押登记"), ("cancel", "注销登记")]
    types = types[:2] + pick(rng, types[2:], 1, 3)
    has_mortgage = any(t == "mortgage" for t, _ in types)
    uses = [("residential", "住宅"), ("commercial", "商业"), ("industrial", "工业"),
            ("office", "办公")]
    base_res, base_other = rng.choice([(80, 550), (80, 300), (50, 550)])
    extra = rng.choice([10, 20])
    min_price = rng.choice([1000, 1500, 2000])
    secs = sections_of(dep)
    form = [
        fld("applicant", "group", "申请人", "Applicant", fields=[
            fld("name", "text", "姓名/名称", "Name", required=True),
            fld("id_number", "id_number", "公民身份号码", "ID number", required=True),
            fld("mobile", "mobile", "手机号码", "Mobile", required=True),
            fld("address", "text", "通讯地址", "Address", required=True),
        ]),
        fld("registration_type", "choice", "登记类型", "Registration type", required=True,
            options=opts(*types)),
        fld("property", "group", "登记对象", "Object", fields=[
            fld("cert_no", "text", "权属证书号", "Certificate number",
                visible='registration_type != "first"', required=True),
            fld("location", "text", "坐落", "Location", required=True),
            fld("floor_area", "number", "面积（平方米）", "Area", required=True,
                constraint="property.floor_area > 0"),
            fld("usage", "choice", "用途", "Use", required=True, options=opts(*uses)),
            fld("built_year", "integer", "建成年份", "Year built", min=1900, max=2100),
        ]),
        fld("parties", "repeat", "权利人", "Right holders", min=1, max=20, fields=[
            fld("party_name", "text", "姓名", "Name", required=True),
            fld("id_number", "id_number", "公民身份号码", "ID number", required=True),
            fld("role", "choice", "身份", "Role", required=True,
                options=opts(("owner", "权利人"), ("buyer", "受让人"), ("seller", "转让人"))),
            fld("share", "number", "份额（%）", "Share", required=True,
                constraint="share > 0 and share <= 100"),
            fld("mobile", "mobile", "手机号码", "Mobile"),
        ]),
        fld("price", "money", "成交价格（元）", "Price", visible='registration_type == "transfer"',
            required=True, constraint="price > 0"),
        fld("tax_paid", "boolean", "是否已完税", "Tax paid",
            visible='registration_type == "transfer"', required=True),
        fld("copies", "integer", "证书份数", "Certificates", required=True, min=1, max=10),
        fld("urgent", "boolean", "是否申请加急", "Urgent"),
    ]
    if has_mortgage:
        form.insert(5, fld("mortgage_amount", "money", "被担保主债权数额（元）", "Secured amount",
                           visible='registration_type == "mortgage"', required=True,
                           constraint="mortgage_amount > 0"))
        form.insert(6, fld("mortgagee", "text", "抵押权人", "Mortgagee",
                           visible='registration_type == "mortgage"', required=True))
    form.append(fld("confirm", "boolean", "确认所填信息属实", "Confirm", required=True,
                    constraint="confirm"))
    pad(rng, form, 22, 34)
    fee = (f'if registration_type in ["first", "transfer"] then '
           f'(if property.usage == "residential" then {base_res} else {base_other}) '
           f"+ max(copies - 1, 0) * {extra} else 0")
    lets = {
        "transferring": 'registration_type == "transfer"',
        "share_sum": "sum(parties.share)",
        "sellers": 'count(parties, role == "seller")',
        "unit_price": "if transferring then price / property.floor_area else null",
    }
    materials = [
        mat("application_form", f"{stem}申请书", medium="either"),
        mat("id_cards", "申请人身份证明", form="copy"),
        mat("title_certificate", "权属来源证明", required='registration_type != "first"'),
        mat("transfer_contract", "转让合同", required="transferring"),
        mat("tax_receipt", "完税凭证", form="copy", required="transferring",
            tolerable=True),
        mat("survey_report", "测绘成果报告", required='registration_type == "first"'),
        mat("power_of_attorney", "授权委托书", required=False),
        mat("planning_record", "规划核实证明", form="copy", source="government"),
    ]
    if has_mortgage:
        materials.insert(6, mat("mortgage_contract", "抵押合同",
                                required='registration_type == "mortgage"'))
    pad_materials(rng, materials, 9, 14)
    checks = [
        {"when": "share_sum != 100", "refuse": L("权利人份额合计应为100%")},
        {"when": "transferring and sellers == 0", "refuse": L("转移登记须有转让人")},
        {"when": "any(parties, not adult(id_number)) and transferring",
         "warn": L("未成年人参与转让，须监护人到场")},
        {"when": f"unit_price != null and unit_price < {min_price}",
         "warn": L(f"成交单价低于{min_price}元/平方米，请核实")},
        {"when": "urgent", "warn": L("加急办理，请优先分派")},
    ]
    route = [
        {"step": FlowList([f"{dep}.{secs[0]}"]), "name": L("受理")},
        {"step": FlowList([f"{dep}.{secs[1]}"]), "name": L("审核登簿")},
    ]
    if any(t == "cancel" for t, _ in types):
        route[1]["when"] = 'registration_type != "cancel"'
    if rng.random() < .5:
        route.append({"step": FlowList([f"{dep}.{secs[-1]}"]), "name": L("缮证发证")})

    def fields_for(shares: list[int]) -> dict[str, Any]:
        return {
            "applicant": {"name": person_name(rng), "id_number": id_number(rng, birth(rng, 25, 70)),
                          "mobile": mobile(rng), "address": address(rng)},
            "registration_type": "first",
            "property": {"location": address(rng), "floor_area": rng.randint(60, 200),
                         "usage": "residential", "built_year": rng.randint(1995, 2025)},
            "parties": [{"party_name": person_name(rng),
                         "id_number": id_number(rng, birth(rng, 25, 70)), "role": "owner",
                         "share": s} for s in shares],
            "copies": 1, "confirm": True,
        }

    tests = [
        {"name": "first registration by two owners is accepted", "today": TODAY.isoformat(),
         "fields": fields_for([50, 50]), "materials": handed(materials),
         "expect": Flow(outcome="accept", missing=FlowList())},
        {"name": "shares not adding up to 100 are refused", "today": TODAY.isoformat(),
         "fields": fields_for([50, 30]), "materials": handed(materials),
         "expect": Flow(outcome="refuse", refusals=1)},
        {"name": "no survey report is incomplete", "today": TODAY.isoformat(),
         "fields": fields_for([100]), "materials": handed(materials, {"survey_report"}),
         "expect": Flow(outcome="incomplete", missing=FlowList(["survey_report"]))},
    ]
    return {
        "name": L(stem), "kind": rng.choice(["administrative_confirmation", "public_service",
                                             "other_administrative"]),
        "time_limit": Flow(unit="working_days", statutory_days=rng.choice([10, 15, 30]),
                           committed_days=rng.choice([1, 3, 5])),
        "fee": fee, "channels": FlowList(pick(rng, ["window", "online", "self_service"], 1, 3)),
        "max_visits": 1, "result": L(f"{stem}证明"), "uses": FlowList(["common"]), "let": lets,
        "form": form, "materials": materials, "checks": checks, "route": route, "tests": tests,
    }


# ---------------------------------------------------------------------------------------
# Template 6: permit with a date range.

PERMITS = ["建筑工程施工许可", "城市道路占用挖掘许可", "临时占用林地审批",
           "河道管理范围内建设项目审批",
           "夜间施工许可", "户外广告设置许可", "防雷装置设计审核", "建设项目环境影响评价审批",
           "危险化学品经营许可", "临时用地审批"]


def permit(rng: random.Random, n: int, dep: str, dep_zh: str) -> dict[str, Any]:
    stem = rng.choice(PERMITS)
    max_days = rng.choice([90, 180, 365, 730])
    notice = rng.choice([3, 5, 7])
    big_invest = rng.choice([500, 1000, 3000])
    cats = pick(rng, [("housing", "房屋建筑"), ("road", "市政道路"), ("pipeline", "管线"),
                      ("water", "水利"), ("advert", "广告设施"), ("other", "其他")], 3, 6)
    secs = sections_of(dep)
    form = [
        fld("org", "group", "建设单位", "Builder", fields=[
            fld("org_name", "text", "单位名称", "Name", required=True),
            fld("uscc", "uscc", "统一社会信用代码", "USCC", required=True),
            fld("contact", "text", "联系人", "Contact", required=True),
            fld("mobile", "mobile", "联系电话", "Mobile", required=True),
            fld("legal_rep_id", "id_number", "法定代表人身份证号码", "Legal rep ID", required=True),
        ]),
        fld("project", "group", "项目", "Project", fields=[
            fld("title", "text", "项目名称", "Title", required=True),
            fld("site", "text", "建设地点", "Site", required=True),
            fld("investment", "money", "总投资（万元）", "Investment", required=True,
                constraint="project.investment > 0"),
            fld("area", "number", "用地（占用）面积（平方米）", "Area", required=True,
                constraint="project.area > 0"),
            fld("category", "choice", "工程类别", "Category", required=True,
                options=opts(*cats)),
        ]),
        fld("start_date", "date", "计划开工日期", "Start", required=True,
            constraint="start_date >= today()", message=L("开工日期不能早于今天")),
        fld("end_date", "date", "计划完工日期", "End", required=True,
            constraint=f"end_date > start_date and "
                       f"days_between(start_date, end_date) <= {max_days}",
            message=L(f"工期应大于0天且不超过{max_days}天")),
        fld("workers", "integer", "施工人数", "Workers", required=True, min=1, max=5000),
        fld("night_work", "boolean", "是否夜间施工", "Night work", required=True),
        fld("night_reason", "textarea", "夜间施工理由", "Why at night", visible="night_work",
            required=True),
        fld("contractor", "group", "施工单位", "Contractor", fields=[
            fld("name", "text", "单位名称", "Name", required=True),
            fld("uscc", "uscc", "统一社会信用代码", "USCC", required=True),
            fld("qualification", "choice", "资质等级", "Qualification", required=True,
                options=opts(("special", "特级"), ("first", "一级"), ("second", "二级"),
                             ("third", "三级"))),
        ]),
        fld("safety_officer_id", "id_number", "安全员身份证号码", "Safety officer ID",
            required=True, constraint="adult(safety_officer_id)"),
        fld("noise", "choice", "噪声等级", "Noise", required=True,
            options=opts(("low", "低"), ("medium", "中"), ("high", "高"))),
        fld("accept", "boolean", "承诺遵守文明施工规定", "Undertaking", required=True,
            constraint="accept"),
    ]
    pad(rng, form, 26, 36)
    lets = {
        "duration": "days_between(start_date, end_date)",
        "large_project": f"project.investment >= {big_invest}",
        "qualified": 'contractor.qualification in ["special", "first", "second"]',
    }
    materials = [
        mat("application_form", f"{stem}申请表", medium="either"),
        mat("land_certificate", "用地批准手续", form="copy", source="government"),
        mat("construction_contract", "施工合同", form="copy"),
        mat("drawings", "施工图设计文件审查合格书", form="copy", required="large_project",
            tolerable=True),
        mat("safety_plan", "安全生产措施方案", medium="either", tolerable=True),
        mat("night_permit_plan", "夜间施工降噪方案", required="night_work"),
        mat("traffic_plan", "交通疏导方案",
            required=f'project.category == "{cats[0][0]}" and duration > 30'),
        mat("contractor_licence", "施工单位资质证书", form="original_and_copy"),
    ]
    pad_materials(rng, materials, 8, 13)
    checks = [
        {"when": "not qualified and large_project", "refuse": L("施工单位资质等级不符合要求")},
        {"when": f"days_between(today(), start_date) < {notice}",
         "warn": L(f"距开工不足{notice}日，请提示申请人")},
        {"when": 'night_work and noise == "high"', "warn": L("高噪声夜间施工，须公告周边居民")},
        {"when": "not registered_locally(org.uscc) and large_project",
         "warn": L("外地建设单位，请核验备案")},
    ]
    route = [
        {"step": FlowList([f"{dep}.{secs[0]}"]), "name": L("受理")},
        {"step": FlowList([f"{dep}.{secs[1]}", "fire_rescue.fire_prevention"]),
         "when": "large_project", "name": L("联合审查")},
    ]

    def fields_for(qual: str, invest: int) -> dict[str, Any]:
        start = TODAY + dt.timedelta(days=notice + 10)
        return {
            "org": {"org_name": f"新兴县{rng.choice(SHOPS)}建设有限公司", "uscc": uscc(rng),
                    "contact": person_name(rng), "mobile": mobile(rng),
                    "legal_rep_id": id_number(rng, birth(rng, 30, 60))},
            "project": {"title": f"{rng.choice(SHOPS)}片区改造工程", "site": address(rng),
                        "investment": invest, "area": rng.randint(100, 5000),
                        "category": cats[-1][0]},
            "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=min(max_days, 60))).isoformat(),
            "workers": rng.randint(5, 200), "night_work": False,
            "contractor": {"name": f"新兴县{rng.choice(SHOPS)}建筑工程有限公司", "uscc": uscc(rng),
                           "qualification": qual},
            "safety_officer_id": id_number(rng, birth(rng, 25, 55)), "noise": "low",
            "accept": True,
        }

    tests = [
        {"name": "a qualified contractor is accepted", "today": TODAY.isoformat(),
         "fields": fields_for("first", big_invest + 100), "materials": handed(materials),
         "expect": Flow(outcome="accept", missing=FlowList())},
        {"name": "a third-grade contractor on a large project is refused",
         "today": TODAY.isoformat(), "fields": fields_for("third", big_invest + 100),
         "materials": handed(materials), "expect": Flow(outcome="refuse", refusals=1)},
        tolerance_or_missing(rng, materials, "safety_plan", "construction_contract",
                             fields_for("second", 100), "safety plan later is tolerated",
                             "no construction contract is incomplete"),
    ]
    return {
        "name": L(stem), "kind": "administrative_licensing",
        "time_limit": Flow(unit="working_days", statutory_days=rng.choice([15, 20]),
                           committed_days=rng.choice([5, 7, 10])),
        "fee": 0, "channels": FlowList(pick(rng, ["window", "online"], 1, 2)), "max_visits": 1,
        "result": L(f"{stem}决定书"), "uses": FlowList(["common", "enterprise"]), "let": lets,
        "form": form, "materials": materials, "checks": checks, "route": route, "tests": tests,
    }


TEMPLATES = {"licence": licence, "certificate": certificate, "instant": instant,
             "benefit": benefit, "registration": registration, "permit": permit}


# ---------------------------------------------------------------------------------------


def matter(rng: random.Random, n: int) -> tuple[str, str, str]:
    """One matter: (department, file name, YAML text)."""
    dep, dep_zh, _, hosted = DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
    # Round-robin over templates so every catalog has each kind, randomly placed.
    template = list(TEMPLATES)[n % len(TEMPLATES)]
    if template not in hosted and rng.random() < .7:
        template = rng.choice(hosted)
    body = TEMPLATES[template](rng, n, dep, dep_zh)
    words = dep.split("_")
    abbrev = "".join(w[0] for w in words) if len(words) > 1 else dep[:3]
    code = f"445321-{abbrev.upper()}-{n:05d}"
    doc: dict[str, Any] = {"code": code, "name": body.pop("name"), "department": dep}
    doc.update(body)
    return dep, f"{template}_{n:05d}.yaml", dump(doc, f"{doc['name']['zh']} 办事指南（生成）")


def generate(out: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "rules").mkdir(parents=True)
    (out / "catalog.yaml").write_text(dump(catalog_doc_cache(), "基准测试事项目录"),
                                      encoding="utf-8")
    (out / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    (out / "rules" / "common.rules").write_text(COMMON_RULES, encoding="utf-8")
    (out / "rules" / "enterprise.rules").write_text(ENTERPRISE_RULES, encoding="utf-8")
    (out / "rules" / "family.rules").write_text(FAMILY_RULES, encoding="utf-8")
    for i in range(1, n + 1):
        dep, name, text = matter(rng, i)
        folder = out / dep
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out_dir", type=Path)
    p.add_argument("-n", type=int, default=500, help="number of matters (default 500)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    generate(args.out_dir, args.n, args.seed)
    print(f"wrote {args.n} matters to {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
