"""Personal data stays in its department (issue #16, item 11) by AppTest: an officer
opens and lists only their own department's cases; a refused read shows nothing of the
case and is written to the audit trail, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formkit.cases.service import Case, CaseService, HandedIn
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import open_catalog
from formkit.definitions.users import hash_password
from formkit.intake.examples import submission_of
from tests.studio.conftest import APP
from tests.studio.test_backoffice import ALL, click, open_case, worklist
from tests.studio.test_window import receive_food

ID_CARD = "XX-PS-0001"  # 居民身份证换领、补领 (public security)
APPLICANT = "陈晓明"


def add_user(workspace: Path, username: str, role: str, department: str | None,
             zh: str, password: str = "officer123") -> None:
    """A user added to the workspace's users file (the demo users stay as they are)."""
    users = workspace / "definitions" / "users.yaml"
    users.write_text(users.read_text(encoding="utf-8") + (
        f"  - username: {username}\n"
        f"    name: {{zh: {zh}, en: {username}}}\n"
        f"    role: {role}\n"
        + (f"    department: {department}\n" if department else "")
        + f"    password: \"{hash_password(password)}\"\n"), encoding="utf-8")


def sign_in_as(username: str, password: str, page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.text_input(key="signin_user").input(username)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()
    at.switch_page(f"views/{page}").run()
    assert not at.exception, at.exception
    return at


def receive_id_card(workspace: Path) -> Case:
    """A public-security case (an ID card renewal), accepted at the window on 2026-11-25."""
    opened = open_catalog(workspace / "definitions")
    store = TinyCaseStore(workspace / "var" / "store", prefix="FK", fsync=False)
    svc = CaseService(store, opened.work_calendar(),
                      now=lambda: dt.datetime(2026, 11, 25, 10))
    rules = opened.rules_of(ID_CARD)
    assert rules is not None
    ex = next(t for t in rules.matter.tests if t.name.startswith("renewal two months"))
    sub = submission_of(ex)
    case = svc.receive(rules, snapshot_for_case(store, opened, ID_CARD), sub["fields"],
                       [HandedIn(**m) for m in sub["materials"]], actor="clerk",
                       applicant=APPLICANT)
    assert case.state == "accepted"
    return case


def refused_reads(workspace: Path) -> list[dict[str, object]]:
    store = TinyCaseStore(workspace / "var" / "store", prefix="FK", fsync=False)
    return [e for e in store.audit() if e.get("kind") == "refused_read"]


def everything(at: AppTest) -> str:
    """All the page says: text, alerts, metrics, tables and inputs' labels."""
    parts = [str(e.value) for kind in ("title", "subheader", "markdown", "caption", "error",
                                       "warning", "success", "info", "code")
             for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(parts)


@pytest.fixture()
def ps_officer(workspace: Path) -> Callable[[], AppTest]:
    """A public-security officer, added to the workspace's users, on the back office."""
    add_user(workspace, "ps_officer", "officer", "public_security", "公安局审批员")
    return lambda: sign_in_as("ps_officer", "officer123", "backoffice.py")


def test_an_officer_cannot_open_another_departments_case(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    theirs = receive_id_card(workspace)
    ours = receive_food(workspace, ALL)
    at = open_case(signed_in("ms_officer", "backoffice.py"), theirs.number)
    assert at.error[0].value == ("无权查看 Access refused：该案件不属于本部门，无权查看；"
                                 "本次查看已记录")
    shown = everything(at)
    assert APPLICANT not in shown and "身份证" not in shown  # nothing of the case
    assert not any(m.label == "状态 State" for m in at.metric)
    assert not [d for d in at.dataframe if "项目 Field" in d.value.columns]
    assert [b.key for b in at.button if str(b.key).startswith("bo_")] == ["bo_find_open"]
    assert [(e["number"], e["actor"], e["department"]) for e in refused_reads(workspace)] \
        == [(theirs.number, "ms_officer", "market_supervision")]
    at.run()  # the refusal stays on the page, read once: written once
    assert "无权查看" in at.error[0].value
    assert len(refused_reads(workspace)) == 1
    # the officer's own case opens as before, and the refusal goes
    open_case(at, ours.number)
    assert not at.error
    assert any(m.label == "状态 State" for m in at.metric)
    assert len(refused_reads(workspace)) == 1


def test_queues_list_only_the_officers_department(
        signed_in: Callable[..., AppTest], ps_officer: Callable[[], AppTest],
        workspace: Path) -> None:
    theirs = receive_id_card(workspace)
    ours = receive_food(workspace, ALL)
    ms = signed_in("ms_officer", "backoffice.py")
    assert [o.split(" · ")[0] for o in ms.selectbox(key="bo_pick").options] == [ours.number]
    for name in ("market_supervision.food_licensing", "decide", "issue"):
        assert theirs.number not in set(worklist(ms, name)["案件编号 Case"])
    ps = ps_officer()
    assert [o.split(" · ")[0] for o in ps.selectbox(key="bo_pick").options] == [theirs.number]
    assert ours.number not in everything(ps)


def test_each_department_reads_its_own(ps_officer: Callable[[], AppTest],
                                       workspace: Path) -> None:
    theirs = receive_id_card(workspace)
    ours = receive_food(workspace, ALL)
    at = open_case(ps_officer(), ours.number)
    assert "该案件不属于本部门" in at.error[0].value
    assert "新兴县禾丰餐饮管理有限公司" not in everything(at)
    open_case(at, theirs.number)
    assert not at.error
    assert APPLICANT in everything(at)
    click(at, "bo_start")
    assert [(e["number"], e["actor"]) for e in refused_reads(workspace)] == [
        (ours.number, "ps_officer")]


def test_an_office_with_a_step_on_the_route_signs_it_and_only_it(workspace: Path) -> None:
    # 二手房转移登记 (natural resources): the tax office signs the second step with the
    # registry; it reads the case and signs its step, but does not decide it
    opened = open_catalog(workspace / "definitions")
    store = TinyCaseStore(workspace / "var" / "store", prefix="FK", fsync=False)
    svc = CaseService(store, opened.work_calendar(),
                      now=lambda: dt.datetime(2026, 11, 25, 10))
    rules = opened.rules_of("XX-NR-0001")
    assert rules is not None
    ex = next(t for t in rules.matter.tests if "residential flat sold" in t.name)
    sub = submission_of(ex)
    case = svc.receive(rules, snapshot_for_case(store, opened, "XX-NR-0001"), sub["fields"],
                       [HandedIn(**m) for m in sub["materials"]], actor="clerk",
                       applicant=APPLICANT)
    svc.start_review(case.number, actor="nr_officer")
    svc.sign_off(case.number, "natural_resources.registry_intake", actor="nr_officer")
    add_user(workspace, "tax_officer", "officer", "taxation", "税务局审批员")
    at = open_case(sign_in_as("tax_officer", "officer123", "backoffice.py"), case.number)
    assert not at.error
    keys = [str(b.key) for b in at.button]
    assert any("sign|taxation.tax_service" in k for k in keys), keys
    assert not any("sign|natural_resources" in k for k in keys)
    assert "bo_deny" not in keys and not any("approve" in k or "start" in k for k in keys)
    assert refused_reads(workspace) == []
