"""The back office's clock and endings by AppTest (issue #14): 延期 (§42), special
procedures that stop the clock (§45 and the matter's own), 终止 and 撤回, and a ground
for denial found at intake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formkit.cases.service import Case, HandedIn
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import open_catalog
from formkit.definitions.users import hash_password
from formkit.intake.examples import submission_of
from tests.studio.conftest import APP
from tests.studio.test_backoffice import (
    ALL,
    FOOD_DESK,
    click,
    field,
    metric,
    open_case,
    worklist,
)
from tests.studio.test_window import receive_food, service

COMMITTED = "2026-12-02"  # the food licence: 5 working days from 2026-11-25
GROUND = "公职人员不得违反有关规定从事或者参与营利性活动，不予登记"


def receive_example(workspace: Path, code: str, name: str) -> Case:
    """The matter's own example ``name`` received at the window, on 2026-11-25."""
    opened = open_catalog(workspace / "definitions")
    svc = service(workspace)
    rules = opened.rules_of(code)
    assert rules is not None
    ex = next(t for t in rules.matter.tests if name in t.name)
    sub = submission_of(ex)
    return svc.receive(rules, snapshot_for_case(svc.store, opened, code), sub["fields"],
                       [HandedIn(**m) for m in sub["materials"]], actor="clerk",
                       applicant="申请人")


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "error", "warning",
                                               "success", "info") for e in getattr(at, kind))


def button_keys(at: AppTest) -> list[str]:
    return [b.key for b in at.button]


# ---------------------------------------------------------------- 延期


def test_an_extension_is_bounded_needs_its_reason_and_moves_the_deadlines(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    case = receive_food(workspace, ALL)
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    assert metric(at, "承诺期限 Committed deadline") == COMMITTED
    statutory = metric(at, "法定期限 Statutory deadline")
    days = at.number_input(key=field(at, "bo_ext_days"))
    assert (days.min, days.max) == (1, 5)  # the food licence allows 5 working days
    assert any("最多 5 个工作日，须经本行政机关负责人批准" in c.value for c in at.caption)

    # not approved yet
    at.text_area(key=field(at, "bo_ext_reason")).input("需现场核查的餐饮场所较多")
    click(at, "bo_extend")
    assert "请确认延期已经本行政机关负责人批准" in at.error[0].value
    # more days than the matter allows: the widget keeps to its bounds
    at.checkbox(key=field(at, "bo_ext_ok")).check()
    at.number_input(key=field(at, "bo_ext_days")).set_value(9).run()
    assert 1 <= at.number_input(key=field(at, "bo_ext_days")).value <= 5
    assert not service(workspace).get(case.number).extensions
    # no reason
    at.number_input(key=field(at, "bo_ext_days")).set_value(3)
    at.text_area(key=field(at, "bo_ext_reason")).input("  ")
    click(at, "bo_extend")
    assert "延期须将理由告知申请人" in at.error[0].value
    assert "extension" not in at.error[0].value  # no English-only message

    at.text_area(key=field(at, "bo_ext_reason")).input("需现场核查的餐饮场所较多")
    assert any("延期后 After the extension：承诺期限 committed 2026-12-07" in c.value
               for c in at.run().caption)
    click(at, "bo_extend")
    assert "已延期 3 个工作日" in at.success[0].value
    assert metric(at, "承诺期限 Committed deadline") == "2026-12-07"  # Wed + 3 working days
    assert metric(at, "法定期限 Statutory deadline") != statutory
    shown = texts(at)
    assert "已延期 Extended：3 个工作日" in shown
    assert "批准人 Approved by：本行政机关负责人" in shown
    assert "理由 Reason：需现场核查的餐饮场所较多" in shown
    extended = next(i.value for i in at.info if "已延期" in i.value)
    assert "市场监管局审批员" in extended and "ms_officer" not in extended  # by name
    assert "期限已顺延 Deadlines moved：延期 3 个工作日" in shown
    assert "bo_extend" not in button_keys(at)  # once only
    # the queue orders by the moved deadline too
    assert set(worklist(at, FOOD_DESK)["承诺期限 Due"]) == {"2026-12-07"}
    stored = service(workspace).get(case.number)
    assert [(e.days, e.by, e.comment) for e in stored.extensions] == [
        (3, "ms_officer", "需现场核查的餐饮场所较多")]
    # the 延期通知书, to print and hand to the applicant (行政许可法第四十二条)
    assert at.download_button(key=f"bo_docs:{case.number}|extension|html")
    notice = "\n".join(c.value for c in at.code)
    assert "延期通知书" in notice and f"文书编号：{case.number}" in notice
    assert "因需现场核查的餐饮场所较多，不能在法定期限（2026年12月9日）内作出决定，" \
           "经本行政机关负责人批准，办理期限延长3个工作日，至2026年12月14日。" in notice
    history = next(d.value for d in at.dataframe if "动作 Action" in d.value.columns)
    assert "延期（3 个工作日）" in set(history["动作 Action"])
    assert not set(history["动作 Action"]) & {"extend", "receive", "accept"}


# ---------------------------------------------------------------- a matter's own procedure


@pytest.fixture()
def ca_officer(workspace: Path) -> Callable[[], AppTest]:
    """A civil affairs officer, added to the workspace's users, signed in."""
    users = workspace / "definitions" / "users.yaml"
    users.write_text(users.read_text(encoding="utf-8") + (
        "  - username: ca_officer\n"
        "    name: {zh: 民政局审批员, en: Civil affairs officer}\n"
        "    role: officer\n"
        "    department: civil_affairs\n"
        f"    password: \"{hash_password('officer123')}\"\n"), encoding="utf-8")

    def make() -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        at.text_input(key="signin_user").input("ca_officer")
        at.text_input(key="signin_password").input("officer123")
        at.button[0].click().run()
        at.switch_page("views/backoffice.py").run()
        assert not at.exception, at.exception
        return at

    return make


def test_the_clock_stops_for_the_matters_own_procedure_by_its_name(
        ca_officer: Callable[[], AppTest], workspace: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    case = receive_example(workspace, "XX-CA-0002", "urban family")
    assert case.state == "accepted"
    at = open_case(ca_officer(), case.number)
    before = metric(at, "承诺期限 Committed deadline")
    box = at.selectbox(key=field(at, "bo_pause_reason"))
    assert box.options[0] == "公示（最长 7 个自然日）"  # the matter's own comes first
    assert "检测" in box.options and "专家评审" in box.options
    assert not any("public_notice" in o or "testing" in o for o in box.options)  # no ids
    box.select("public_notice")
    click(at, "bo_suspend")
    assert "已中止计时 Clock stopped：公示" in at.success[0].value
    assert "计时已中止 Clock stopped：公示（最长 7 个自然日），自 since 2026-11-25" in \
        at.warning[0].value

    monkeypatch.setenv("FORMKIT_TODAY", "2026-11-27")  # two working days later
    at.run()
    assert not at.exception, at.exception
    after = metric(at, "承诺期限 Committed deadline")
    assert dt.date.fromisoformat(after) > dt.date.fromisoformat(before)
    assert "中止计时 2 个工作日" in texts(at)
    click(at, "bo_resume")
    assert not any("计时已中止" in w.value for w in at.warning)
    history = next(d.value for d in at.dataframe if "动作 Action" in d.value.columns)
    assert list(history["动作 Action"])[-2:] == ["中止计时（公示）", "恢复计时"]
    # the matter allows 15 days and names no approver
    assert at.number_input(key=field(at, "bo_ext_days")).max == 15
    assert at.checkbox(key=field(at, "bo_ext_ok")).label == "已经负责人批准 Approved"


# ---------------------------------------------------------------- 终止 and 撤回


def test_a_case_is_terminated_after_a_reason_and_a_confirmation(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    case = receive_food(workspace, ALL)
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    at.radio(key=field(at, "bo_end_kind")).set_value("terminate")
    click(at, "bo_end")
    assert "请填写终止理由" in at.error[0].value
    at.text_area(key=field(at, "bo_end_reason")).input("经营者已注销")
    click(at, "bo_end")
    assert "确认终止案件" in at.warning[0].value and "经营者已注销" in at.warning[0].value
    click(at, "bo_end_no")  # changed their mind
    assert not any("确认终止" in w.value for w in at.warning)
    assert service(workspace).get(case.number).state == "accepted"
    click(at, "bo_end")
    click(at, "bo_end_yes")
    assert "案件已终止" in at.success[0].value
    assert metric(at, "状态 State") == "已终止 Terminated"
    assert any("理由 Reason：经营者已注销" in i.value for i in at.info)
    assert not {"bo_start", "bo_end", "bo_extend", "bo_suspend"} & set(button_keys(at))
    done = service(workspace).get(case.number)
    assert done.state == "terminated" and done.history[-1].comment == "经营者已注销"
    assert case.number not in set(worklist(at, FOOD_DESK)["案件编号 Case"])


def test_a_withdrawal_is_recorded_with_the_applicants_request(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    case = receive_food(workspace, ALL)
    svc = service(workspace)
    svc.start_review(case.number, actor="ms_officer")
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    assert at.radio(key=field(at, "bo_end_kind")).value == "withdraw"
    at.text_area(key=field(at, "bo_end_reason")).input("申请人书面申请撤回")
    click(at, "bo_end")
    click(at, "bo_end_yes")
    assert metric(at, "状态 State") == "已撤回 Withdrawn"
    assert svc.get(case.number).state == "withdrawn"


# ---------------------------------------------------------------- a ground for denial


def test_a_ground_found_at_intake_is_shown_and_the_denial_prefilled(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    case = receive_example(workspace, "XX-MS-0001", "public servant")
    assert case.state == "accepted"
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    assert f"受理时发现不予许可情形 Ground for denial found at intake：{GROUND}" in \
        at.error[0].value
    assert "bo_approve" not in button_keys(at)
    assert GROUND in at.text_area(key=field(at, "bo_reason")).value
    click(at, "bo_start")
    click(at, "bo_sign|market_supervision.registration")  # every step signed
    assert "bo_approve" not in button_keys(at)  # still: deny with the ground
    assert any("不能准予许可" in c.value for c in at.caption)
    assert GROUND in at.text_area(key=field(at, "bo_reason")).value
    click(at, "bo_deny")
    assert metric(at, "状态 State").startswith("不予许可")
    denied = service(workspace).get(case.number)
    assert denied.state == "denied" and GROUND in denied.history[-1].comment


def test_a_ground_for_denial_can_be_decided_from_acceptance(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    case = receive_example(workspace, "XX-MS-0001", "public servant")
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    click(at, "bo_deny")
    assert service(workspace).get(case.number).state == "denied"
