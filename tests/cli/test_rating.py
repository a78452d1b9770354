"""``formkit cases rate NUMBER --score N --comment TEXT``: the 好差评 the notice's link
leads to, over a real embedded store and the sample catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from formkit.cli import main
from tests.cli.test_case_operations import MS, Shell

REFUSED = "operator aged 15 is refused"  # 不予受理 at the window: the service has ended
ACCEPTED = "without the lease, tolerated"  # accepted: not finished yet


@pytest.fixture
def sh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Shell:
    return Shell(tmp_path, capsys)


@pytest.mark.parametrize(("score", "followups"), [
    ("5", []),             # 非常满意
    ("3", []),             # 基本满意: no follow-up
    ("2", ["rating"]),     # 不满意: a 差评 opens a follow-up
    ("1", ["rating"]),     # 非常不满意
])
def test_a_refused_case_is_rated_from_the_notice(sh: Shell, score: str,
                                                 followups: list[str]) -> None:
    n = sh.receive(MS, REFUSED, "2026-11-25")["number"]
    doc = sh.ok("rate", n, "--score", score, "--comment", "说明很清楚", "--today",
                "2026-11-26", "--actor", "applicant")
    assert doc["state"] == "refused"
    assert {k: doc["rating"][k] for k in ("score", "comment", "via", "by")} == {
        "score": int(score), "comment": "说明很清楚", "via": "notice", "by": "applicant"}
    assert [f["kind"] for f in doc.get("followups", [])] == followups
    if followups:  # due 15 working days after 11-26 (no holiday in between)
        assert doc["followups"][0]["due"] == "2026-12-17"
    assert doc["history"][-1]["action"] == "rate"


@pytest.mark.parametrize(("name_part", "args", "code"), [
    (ACCEPTED, ("--score", "5"), "not-finished"),    # still being handled
    (REFUSED, ("--score", "9"), "bad-score"),        # not 1 to 5
])
def test_what_rate_refuses(sh: Shell, name_part: str, args: tuple[str, ...],
                           code: str) -> None:
    n = sh.receive(MS, name_part, "2026-11-25")["number"]
    status, doc, _ = sh.run("rate", n, *args, "--today", "2026-11-26")
    assert status == 1 and doc["error"]["code"] == code, doc
    assert doc["error"]["kind"] == "evaluation" and doc["error"]["hint"]
    assert "rating" not in sh.ok("show", n)


def test_a_case_is_rated_once(sh: Shell) -> None:
    n = sh.receive(MS, REFUSED, "2026-11-25")["number"]
    sh.ok("rate", n, "--score", "4", "--today", "2026-11-26")
    status, doc, _ = sh.run("rate", n, "--score", "1", "--today", "2026-11-27")
    assert status == 1 and doc["error"]["code"] == "already-rated"
    assert doc["error"]["message"].startswith(f"案件 {n} 已于2026-11-26评价（满意）")


@pytest.mark.parametrize(("argv", "needs"), [
    (["cases", "rate", "FK2026112500001"], "needs --score"),       # no score
    (["cases", "act", "FK2026112500001", "issue", "--score", "3"], "takes no --score"),
])
def test_score_goes_with_rate_only(argv: list[str], needs: str,
                                   capsys: pytest.CaptureFixture[str],
                                   tmp_path: Path) -> None:
    code = main([*argv, "--store", str(tmp_path / "s")])
    _, err = capsys.readouterr()
    assert code == 2 and needs in err
