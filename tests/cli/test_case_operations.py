"""``formkit cases receive`` and ``formkit cases act`` (cli.md, "Case operations, v2"),
over a real embedded store and the sample catalog.

Every date below is counted by hand from the 2026 State Council schedule: November and
December 2026 hold no holiday; the sample centre opens on Saturday 12-19 (never
counted) and shuts on Thursday 12-31 (still counted).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from formkit.cli import main
from formkit.intake.examples import submission_of
from tests.cases.support import DEFINITIONS, example

CONTRACT_KEYS = {"number", "matter", "version", "state", "received_on", "accepted_on",
                 "decided_on", "issued_on", "committed_deadline", "statutory_deadline",
                 "effective_committed_deadline", "effective_statutory_deadline", "pauses",
                 "extensions", "tolerated", "calendar_provisional", "history"}
MS, FOOD, DIBAO = "XX-MS-0001", "XX-MS-0002", "XX-CA-0002"


class Shell:
    """``formkit cases ...`` on one store, as a script would run it."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp = tmp_path
        self.store = str(tmp_path / "store")
        self.capsys = capsys

    def data(self, code: str, name_part: str) -> str:
        path = self.tmp / f"{code}-{abs(hash(name_part))}.json"
        path.write_text(json.dumps(submission_of(example(code, name_part)),
                                   ensure_ascii=False, default=str), encoding="utf-8")
        return str(path)

    def run(self, *args: str) -> tuple[int, Any, str]:
        code = main(["cases", *args, "--store", self.store, "--catalog", str(DEFINITIONS),
                     "--json"])
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err
        return code, json.loads(out) if out.strip() else None, err

    def ok(self, *args: str) -> dict[str, Any]:
        code, doc, err = self.run(*args)
        assert code == 0, (doc, err)
        assert set(doc) >= CONTRACT_KEYS
        return dict(doc)

    def refused(self, number: str, *args: str, code: str) -> dict[str, Any]:
        """An action that must change nothing: exit 1, the error, the case as before."""
        before = self.ok("show", number, "--today", "2026-12-31")
        status, doc, _ = self.run("act", number, *args)
        assert status == 1 and doc["error"]["code"] == code, doc
        assert doc["error"]["kind"] == "evaluation"
        assert self.ok("show", number, "--today", "2026-12-31") == before
        return dict(doc["error"])

    def receive(self, code: str, name_part: str, day: str, *more: str) -> dict[str, Any]:
        return self.ok("receive", code, "--data", self.data(code, name_part), "--today", day,
                       "--actor", "clerk01", *more)


@pytest.fixture
def sh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Shell:
    return Shell(tmp_path, capsys)


def test_window_intake_to_issue_with_the_tolerated_lease(sh: Shell) -> None:
    # 个体工商户登记 on Wednesday 11-25: committed 1 working day (11-26), statutory 3
    # (11-26, 11-27, 11-30); the lease is tolerated, due by the decision (11-26)
    case = sh.receive(MS, "without the lease, tolerated", "2026-11-25")
    n = case["number"]
    assert (case["state"], case["received_on"], case["accepted_on"]) == \
        ("accepted", "2026-11-25", "2026-11-25")
    assert (case["committed_deadline"], case["statutory_deadline"]) == \
        ("2026-11-26", "2026-11-30")
    assert (case["effective_committed_deadline"], case["effective_statutory_deadline"]) == \
        ("2026-11-26", "2026-11-30")
    assert case["tolerated"] == [{"id": "lease_contract", "due": "2026-11-26",
                                  "supplied_on": None}]
    assert case["calendar_provisional"] is False and case["extensions"] == []
    assert [(h["action"], h["from_state"], h["to_state"], h["actor"])
            for h in case["history"]] == [("receive", None, "received", "clerk01"),
                                          ("accept", "received", "accepted", "clerk01")]
    # approving before review is not a move of the table
    err = sh.refused(n, "approve", "--today", "2026-11-26", code="illegal-transition")
    assert err["message"].startswith(f"案件 {n} 当前为“已受理”，不能准予许可")
    sh.ok("act", n, "start_review", "--today", "2026-11-26", "--actor", "officer")
    sh.ok("act", n, "sign_off", "--today", "2026-11-26", "--actor", "officer")
    # 容缺 cannot be skipped: no grant while the lease is owed
    sh.refused(n, "approve", "--today", "2026-11-26", code="tolerated-outstanding")
    sh.ok("act", n, "supply", "--material", "lease_contract", "--today", "2026-11-26")
    done = sh.ok("act", n, "approve", "--today", "2026-11-26", "--actor", "chief")
    assert (done["state"], done["decided_on"]) == ("approved", "2026-11-26")
    issued = sh.ok("act", n, "issue", "--today", "2026-11-27")
    assert (issued["state"], issued["issued_on"]) == ("issued", "2026-11-27")
    assert issued["tolerated"][0]["supplied_on"] == "2026-11-26"
    sh.refused(n, "withdraw", "--comment", "不想办了", code="illegal-transition")


def test_extension_moves_both_deadlines_once(sh: Shell) -> None:
    # 市场主体登记管理条例 §19: 3 more working days, once. Extended on 11-26:
    # committed 11-26 + 3 = 12-01 (11-27, 11-30, 12-01); statutory 11-30 + 3 = 12-03
    n = sh.receive(MS, "operator in person, owned shop", "2026-11-25")["number"]
    sh.refused(n, "extend", "--days", "4", "--comment", "需现场核实", "--today", "2026-11-26",
               code="extension-too-long")
    sh.refused(n, "extend", "--days", "3", "--comment", " ", "--today", "2026-11-26",
               code="no-reason")
    case = sh.ok("act", n, "extend", "--days", "3", "--comment", "需现场核实经营场所",
                 "--today", "2026-11-26", "--actor", "局长")
    assert (case["effective_committed_deadline"], case["effective_statutory_deadline"]) == \
        ("2026-12-01", "2026-12-03")
    assert (case["committed_deadline"], case["statutory_deadline"]) == \
        ("2026-11-26", "2026-11-30")  # fixed at acceptance
    assert case["extensions"] == [{"days": 3, "on": "2026-11-26", "by": "局长",
                                   "comment": "需现场核实经营场所"}]
    sh.refused(n, "extend", "--days", "1", "--comment", "再延", "--today", "2026-11-27",
               code="extension-used")

    # overdue on 12-02 against the extended promise (12-01), not the statutory limit
    code, report, _ = sh.run("overdue", "--today", "2026-12-02")
    assert code == 0 and [(f["number"], f["flag"], f["due"], f["days"])
                          for f in report["flags"]] == [(n, "yellow", "2026-12-01", 1)]


def test_the_approver_of_an_extension_is_recorded(sh: Shell) -> None:
    # the officer records it (the history's actor); the head of office approved it
    n = sh.receive(MS, "operator in person, owned shop", "2026-11-25")["number"]
    case = sh.ok("act", n, "extend", "--days", "2", "--comment", "需补充核查",
                 "--approver", "王局长", "--today", "2026-11-26", "--actor", "ms_officer")
    assert case["extensions"][0]["by"] == "王局长"
    assert case["history"][-1]["actor"] == "ms_officer"


def test_extension_after_the_statutory_limit_is_refused(sh: Shell) -> None:
    # statutory 11-30: on 12-01 the limit has run out, an extension comes too late (§42)
    n = sh.receive(MS, "operator in person, owned shop", "2026-11-25")["number"]
    sh.refused(n, "extend", "--days", "3", "--comment", "迟到的延期", "--today", "2026-12-01",
               code="extension-late")
    status, report, _ = sh.run("overdue", "--today", "2026-12-01")
    assert status == 0
    assert ("statutory_overdue", "2026-11-30", 1) in [
        (f["flag"], f["due"], f["days"]) for f in report["flags"] if f["number"] == n]


def test_a_matter_without_extension_cannot_be_extended(sh: Shell) -> None:
    # 二手房转移登记 declares no extension
    n = sh.receive("XX-NR-0001", "residential flat sold", "2026-11-25")["number"]
    sh.refused(n, "extend", "--days", "1", "--comment", "x", code="no-extension")


def test_public_notice_stops_the_clock_at_most_seven_days(sh: Shell) -> None:
    # 低保 received Monday 11-02: committed 20 working days -> 11-30, statutory 30 ->
    # 12-14. 公示 runs 11-10 .. 11-20, but stops the clock 7 calendar days at most
    # (to 11-17): the working days 11-11, 12, 13, 16, 17 are not counted, so the
    # deadlines move by 5 working days: 12-07 and 12-21 (12-19 is a Saturday service
    # day, not counted).
    n = sh.receive(DIBAO, "rural family with a disabled member", "2026-11-02")["number"]
    case = sh.ok("show", n, "--today", "2026-11-02")
    assert (case["committed_deadline"], case["statutory_deadline"]) == \
        ("2026-11-30", "2026-12-14")
    sh.ok("act", n, "start_review", "--today", "2026-11-03")
    sh.refused(n, "suspend", "--procedure", "village_meeting", "--today", "2026-11-10",
               code="bad-reason")
    sh.ok("act", n, "suspend", "--procedure", "public_notice", "--today", "2026-11-10")
    sh.refused(n, "suspend", "--procedure", "hearing", "--today", "2026-11-11",
               code="illegal-transition")  # already stopped
    # while it runs (day 4), the clock is stopped and nothing is flagged
    running = sh.ok("show", n, "--today", "2026-11-13")
    assert running["pauses"][0]["reason"] == "public_notice"
    assert running["pauses"][0]["end"] is None
    case = sh.ok("act", n, "resume", "--today", "2026-11-20")
    assert case["pauses"][0]["start"] == "2026-11-10" and \
        case["pauses"][0]["end"] == "2026-11-20"
    assert (case["effective_committed_deadline"], case["effective_statutory_deadline"]) == \
        ("2026-12-07", "2026-12-21")


def test_a_statutory_procedure_has_no_maximum(sh: Shell) -> None:
    # the same case stopped for a hearing (行政许可法 §45, no maximum) 11-10 .. 11-20:
    # 8 working days (11-11 .. 11-20): committed 11-30 -> 12-10, statutory 12-14 -> 12-24
    n = sh.receive(DIBAO, "rural family with a disabled member", "2026-11-02")["number"]
    sh.ok("act", n, "suspend", "--procedure", "hearing", "--today", "2026-11-10")
    case = sh.ok("act", n, "resume", "--today", "2026-11-20")
    assert (case["effective_committed_deadline"], case["effective_statutory_deadline"]) == \
        ("2026-12-10", "2026-12-24")


def test_online_application_waits_for_the_office(sh: Shell) -> None:
    # 食品经营许可 (committed 5, statutory 10 working days), sent online Monday 11-02 and
    # accepted Monday 11-09, the fifth working day: in time, so counted from 11-09:
    # committed 11-16, statutory 11-23
    case = sh.receive(FOOD, "restaurant making hot food", "2026-11-02", "--channel", "online")
    n = case["number"]
    assert (case["state"], case["accepted_on"], case["committed_deadline"]) == \
        ("received", None, None)
    assert case["effective_committed_deadline"] is None
    accepted = sh.ok("act", n, "accept", "--today", "2026-11-09", "--actor", "office")
    assert (accepted["state"], accepted["accepted_on"]) == ("accepted", "2026-11-09")
    assert (accepted["committed_deadline"], accepted["statutory_deadline"]) == \
        ("2026-11-16", "2026-11-23")


def test_online_application_left_six_days_is_deemed_accepted(sh: Shell) -> None:
    # the same, decided Tuesday 11-10: six working days after receipt (11-03 .. 11-10),
    # so accepted on receipt (行政许可法 §32(4)): committed 11-02 + 5 = 11-09, statutory
    # 11-02 + 10 = 11-16
    n = sh.receive(FOOD, "restaurant making hot food", "2026-11-02",
                   "--channel", "online")["number"]
    case = sh.ok("act", n, "accept", "--today", "2026-11-10")
    assert (case["accepted_on"], case["deemed_accepted"]) == ("2026-11-02", True)
    assert (case["committed_deadline"], case["statutory_deadline"]) == \
        ("2026-11-09", "2026-11-16")


def test_the_office_cannot_accept_an_incomplete_application(sh: Shell) -> None:
    n = sh.receive(MS, "agent without power of attorney", "2026-11-25",
                   "--channel", "online")["number"]
    err = sh.refused(n, "accept", "--today", "2026-11-26", code="not-complete")
    assert "power_of_attorney" in err["message"]
    sh.refused(n, "refuse", "--today", "2026-11-26", code="no-reason")  # why?
    case = sh.ok("act", n, "request_supplement", "--today", "2026-11-26")
    assert case["state"] == "supplement"
    # the applicant gives up: 撤回, recorded with the reason and the actor
    case = sh.ok("act", n, "withdraw", "--comment", "申请人书面申请撤回", "--today",
                 "2026-11-27", "--actor", "clerk02")
    assert (case["state"], case["ended_on"]) == ("withdrawn", "2026-11-27")
    assert case["history"][-1]["comment"] == "申请人书面申请撤回"
    sh.refused(n, "resubmit", "--data", sh.data(MS, "operator in person, owned shop"),
               code="illegal-transition")


def test_terminated_case_leaves_the_watch(sh: Shell) -> None:
    # the lease never came (due 11-26): the case is terminated, and no flag fires for it
    n = sh.receive(MS, "without the lease, tolerated", "2026-11-25")["number"]
    code, report, _ = sh.run("overdue", "--today", "2026-12-02")
    assert "tolerated_overdue" in {f["flag"] for f in report["flags"]}
    sh.refused(n, "terminate", "--today", "2026-12-02", code="no-reason")
    case = sh.ok("act", n, "terminate", "--comment", "容缺材料逾期未补交，终止办理",
                 "--today", "2026-12-02")
    assert (case["state"], case["ended_on"]) == ("terminated", "2026-12-02")
    code, report, _ = sh.run("overdue", "--today", "2026-12-03")
    assert (code, report["open_cases"], report["flags"]) == (0, 0, [])


def test_a_deny_ground_found_at_intake_goes_to_denial(sh: Shell) -> None:
    case = sh.receive(MS, "public servant", "2026-11-25")
    n = case["number"]
    assert case["state"] == "accepted" and case["precheck"]["denials"]
    sh.ok("act", n, "start_review", "--today", "2026-11-26")
    sh.ok("act", n, "sign_off", "--today", "2026-11-26")
    err = sh.refused(n, "approve", "--today", "2026-11-26", code="deny-ground")
    assert "公务员" in err["message"]
    sh.refused(n, "deny", "--today", "2026-11-26", code="no-reason")
    denied = sh.ok("act", n, "deny", "--comment", "申请人系公务员，依法不得经商，不予登记",
                   "--today", "2026-11-26")
    assert (denied["state"], denied["decided_on"]) == ("denied", "2026-11-26")


@pytest.mark.parametrize("args, message", [
    (["act", "FK2026112500001"], "needs an action"),
    (["act", "FK2026112500001", "fly"], "needs an action"),
    (["act", "FK2026112500001", "extend", "--comment", "x"], "needs --days"),
    (["act", "FK2026112500001", "approve", "--days", "3"], "takes no --days"),
    (["act", "FK2026112500001", "suspend"], "needs --procedure"),
    (["act", "FK2026112500001", "supply"], "needs --material"),
    (["receive", "XX-MS-0001"], "needs --data"),
    (["receive"], "needs a matter code"),
    (["show", "FK2026112500001", "approve"], "takes no 'approve'"),
])
def test_command_line_mistakes_exit_2(sh: Shell, args: list[str], message: str) -> None:
    code, doc, err = sh.run(*args)
    assert (code, doc) == (2, None) and message in err


def test_unknown_case_and_unknown_matter(sh: Shell) -> None:
    sh.receive(MS, "operator in person, owned shop", "2026-11-25")  # the store exists
    code, doc, _ = sh.run("act", "FK2026112500099", "accept")
    assert code == 1 and doc["error"]["code"] == "unknown-case"
    code, doc, _ = sh.run("receive", "XX-NOPE", "--data", sh.data(MS, "owned shop"))
    assert code == 1 and doc["error"]["code"] == "unknown-matter"
