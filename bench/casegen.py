"""What the store and pages benches generate cases from: the sample catalog's matters
with their examples pre-checked, and how a county centre's cases are spread over them
and how they go (shares taken from the volumes typical counties publish)."""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import dataclass, field

from formkit.calendar import WorkCalendar
from formkit.cases.versions import matter_snapshot
from formkit.catalog import OpenCatalog
from formkit.intake.examples import submission_of
from formkit.intake.precheck import run_precheck

# Share of a county centre's yearly cases per sample matter (a guess from the volumes
# typical counties publish: ID cards, social security cards, individual businesses and
# real estate dominate). A matter of the catalog not listed here gets weight 1.
MIX: dict[str, float] = {
    "XX-PS-0001": 18,  # 居民身份证换领
    "XX-HR-0001": 14,  # 社会保障卡申领
    "XX-MS-0001": 12,  # 个体工商户登记
    "XX-NR-0001": 10,  # 不动产转移登记
    "XX-PS-0002": 7,  # 户口迁移
    "XX-MS-0003": 6,  # 公司设立登记
    "XX-MS-0002": 6,  # 食品经营许可
    "XX-CA-0001": 5,  # 婚姻登记
    "XX-TX-0001": 4,  # 增值税发票限额
    "XX-HR-0002": 4,  # 失业保险金
    "XX-CA-0002": 3,  # 最低生活保障
    "XX-DP-0001": 2,  # 残疾人证
    "XX-HE-0002": 2,  # 公共场所卫生许可
    "XX-TR-0001": 2,  # 道路货运经营许可
    "XX-HC-0001": 1.5,  # 施工许可
    "XX-FR-0001": 1.5,  # 公众聚集场所消防检查
    "XX-HE-0001": 0.5,  # 医疗机构执业登记
    "XX-EC-0001": 0.5,  # 环评报告表审批
}
# How cases go (shares of all cases).
P_REFUSE = 0.015  # 不予受理 at the window
P_SUPPLEMENT = 0.035  # 一次性告知补正, accepted when the applicant comes back
P_NOTICE_LAG = 0.015  # the decision at the window waits 1-7 working days (§32 risk)
P_LATE = 0.03  # decided 1-8 working days after the committed deadline
P_STUCK = 0.003  # stuck in review for weeks or months (red cards at year end)
P_PAUSE = 0.02  # of licensing cases: a statutory special procedure stops the clock
P_DENY = 0.03  # 不予许可
P_TOLERATED_LATE = 0.1  # a tolerated material comes after its 5-day limit

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢"
            "宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玲文辉俊婷燕鹏宇浩欣怡晨"


class Cut(Exception):
    """The next event would happen after the bench's 'now': the case stops here."""


@dataclass
class Template:
    """One pre-checked example of a matter: answers, materials and their pre-check."""

    outcome: str
    blob: bytes  # pickled (fields, materials, precheck): a fresh copy per case is cheap
    materials: list[str]
    route: list[list[str]]
    step_days: list[int | None]
    tolerated: list[str]


@dataclass
class MatterKit:
    """What the generator needs of one matter."""

    code: str
    department: str
    version: str
    unit: str
    committed: int
    statutory: int
    licensing: bool
    accepts: list[Template] = field(default_factory=list)
    incomplete: Template | None = None
    refuse: Template | None = None


def matter_kits(opened: OpenCatalog, calendar: WorkCalendar, today: dt.date
                ) -> list[tuple[MatterKit, float]]:
    """Every matter of the catalog with its pre-checked examples (an example without
    its own ``today`` is pre-checked on ``today``) and its volume weight."""
    kits = []
    for code, matter in opened.matters.items():
        rules = opened.rules_of(code)
        if rules is None or rules.errors:
            continue
        kit = MatterKit(code=code, department=matter.department,
                        version=matter_snapshot(opened, code)["hash"],
                        unit=matter.time_limit.unit,
                        committed=matter.time_limit.committed_days,
                        statutory=matter.time_limit.statutory_days,
                        licensing=matter.kind == "administrative_licensing")
        for ex in matter.tests:
            submission = submission_of(ex)
            result = run_precheck(rules, submission, today=ex.today or today,
                                  calendar=calendar)
            # as the window records them: HandedIn(**m, original_sighted=True)
            materials = [{"id": m["id"], "form": m.get("form"), "copies": m.get("copies"),
                          "original_sighted": True} for m in submission["materials"]]
            precheck = result.model_dump(mode="json")
            tpl = Template(
                outcome=result.outcome,
                blob=pickle.dumps((dict(ex.fields), materials, precheck)),
                materials=[m["id"] for m in materials],
                route=result.route,
                step_days=[matter.route[i].days for i in result.route_steps],
                tolerated=[m.id for m in result.tolerated_materials])
            if result.outcome in ("accept", "accept_with_tolerance"):
                kit.accepts.append(tpl)
            elif result.outcome == "incomplete":
                kit.incomplete = kit.incomplete or tpl
            else:
                kit.refuse = kit.refuse or tpl
        if kit.accepts:
            kits.append((kit, MIX.get(code, 1.0)))
    return kits
