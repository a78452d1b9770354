"""``formkit notice NUMBER KIND`` and ``formkit guide CODE`` (issue #15): a case's printed
documents and a matter's 办事指南, as HTML, text or PDF, over a real store and a copy
of the sample catalog.

The PDF tests need chromium: without it they skip, except in CI (``CI=true``), where
they fail (tests/documents/test_pdf.py, ``require_browser``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from formkit.cli import main
from formkit.intake.examples import submission_of
from tests.cases.support import DEFINITIONS, example
from tests.cli.test_process import formkit
from tests.documents.test_pdf import check_pdf, require_browser

MS = "XX-MS-0001"  # 个体工商户设立登记
OWNED = "operator in person, owned shop"  # accepted on the spot: a 受理通知书
TOLERATED = "without the lease, tolerated"  # accepted with a 容缺 material
KINDS = ("acceptance", "supplement", "refusal", "tolerance", "commitment", "decision",
         "extension", "special_procedure")


class Desk:
    """A store and a copy of the sample catalog, and ``formkit`` run on them."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp = tmp_path
        self.capsys = capsys
        self.store = str(tmp_path / "store")
        self.catalog = tmp_path / "definitions"
        shutil.copytree(DEFINITIONS, self.catalog)
        shutil.copytree(DEFINITIONS.parent / "rules", tmp_path / "rules")

    def run(self, *args: str) -> tuple[int, str, str]:
        """``formkit ARGS --catalog C`` (and ``--store S`` for the case commands)."""
        store = ["--store", self.store] if args[0] in ("cases", "notice") else []
        status = main([*args, "--catalog", str(self.catalog), *store])
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err and "internal error" not in err, err
        return status, out, err

    def receive(self, name_part: str, day: str = "2026-11-25") -> str:
        data = self.tmp / f"{abs(hash(name_part))}.json"
        data.write_text(json.dumps(submission_of(example(MS, name_part)), ensure_ascii=False,
                                   default=str), encoding="utf-8")
        status, out, err = self.run("cases", "receive", MS, "--data", str(data), "--today", day,
                                    "--actor", "clerk01", "--json")
        assert status == 0, err
        number: str = json.loads(out)["number"]
        return number


@pytest.fixture
def desk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Desk:
    return Desk(tmp_path, capsys)


def test_a_case_received_at_the_window_prints_its_acceptance_notice(desk: Desk) -> None:
    n = desk.receive(OWNED)
    status, out, err = desk.run("notice", n, "acceptance")
    assert (status, err) == (0, "")
    assert out.lstrip().lower().startswith("<!doctype html")
    assert "受理通知书" in out and n in out
    assert "个体工商户设立登记（XX-MS-0001）" in out
    # the plain text: the same document, no markup
    status, text, err = desk.run("notice", n, "acceptance", "--text")
    assert (status, err) == (0, "")
    assert "受理通知书" in text and n in text and "<" not in text


def test_a_tolerated_case_prints_its_tolerance_notice_and_commitment(desk: Desk) -> None:
    n = desk.receive(TOLERATED)
    for kind, title in (("tolerance", "容缺受理通知书"), ("commitment", "承诺书")):
        status, out, err = desk.run("notice", n, kind)
        assert (status, err) == (0, ""), kind
        assert title in out and n in out, kind


def test_a_document_the_case_does_not_have_yet_is_refused(desk: Desk) -> None:
    n = desk.receive(OWNED)
    status, out, err = desk.run("notice", n, "decision")
    # as an action the case's state does not allow: exit 1, the error, nothing printed
    assert (status, out) == (1, "")
    assert f"evaluation error: 案件 {n} 没有" in err
    assert "hint: documents of this case: acceptance" in err


def test_a_kind_that_is_no_document_is_a_command_line_error(desk: Desk) -> None:
    n = desk.receive(OWNED)
    status, out, err = desk.run("notice", n, "receipt")
    assert (status, out) == (2, "")
    assert "'receipt'" in err and all(kind in err for kind in KINDS)


def test_an_unknown_case_number_is_not_found(desk: Desk) -> None:
    desk.receive(OWNED)  # the store exists; the number is not in it
    status, out, err = desk.run("notice", "FK2026112599999", "acceptance")
    assert (status, out) == (1, "")
    assert "name error: no case FK2026112599999" in err
    assert "hint: check the number on the receipt" in err


def test_a_store_that_is_not_there_is_not_created(desk: Desk) -> None:
    status, out, err = desk.run("notice", "FK2026112500001", "acceptance")
    assert (status, out) == (1, "")
    assert "no case store" in err
    assert not Path(desk.store).exists()


def test_the_notice_is_the_matter_version_the_case_was_received_under(desk: Desk) -> None:
    n = desk.receive(OWNED)
    # the matter is renamed after the case was received: the notice keeps the old name
    path = desk.catalog / "market_supervision" / "individual_business_registration.yaml"
    text = path.read_text("utf-8")
    assert "name: {zh: 个体工商户设立登记," in text
    path.write_text(text.replace("name: {zh: 个体工商户设立登记,", "name: {zh: 个体户开业登记,"),
                    encoding="utf-8")
    status, out, _ = desk.run("notice", n, "acceptance")
    assert status == 0
    assert "个体工商户设立登记" in out and "个体户开业登记" not in out
    # the guide is the matter as it stands
    status, out, _ = desk.run("guide", MS)
    assert status == 0 and "个体户开业登记" in out


def test_a_matter_prints_its_guide(desk: Desk) -> None:
    status, out, err = desk.run("guide", MS)
    assert (status, err) == (0, "")
    assert out.lstrip().lower().startswith("<!doctype html")
    assert "个体工商户设立登记办事指南" in out
    status, text, err = desk.run("guide", MS, "--text")
    assert (status, err) == (0, "") and "办事指南" in text and "<" not in text


def test_an_unknown_matter_has_no_guide(desk: Desk) -> None:
    status, out, err = desk.run("guide", "XX-MS-9999")
    assert (status, out) == (1, "")
    assert "name error" in err and "XX-MS-9999" in err


def test_pdf_and_text_together_are_a_command_line_error(desk: Desk) -> None:
    status, out, err = desk.run("guide", MS, "--text", "--pdf", str(desk.tmp / "g.pdf"))
    assert (status, out) == (2, "") and "--pdf" in err
    assert not (desk.tmp / "g.pdf").exists()


# --- PDF -------------------------------------------------------------------------------------

def test_a_notice_and_a_guide_are_written_as_pdf(desk: Desk) -> None:
    require_browser()
    n = desk.receive(OWNED)
    for args in (("notice", n, "acceptance"), ("guide", MS)):
        pdf = desk.tmp / f"{args[0]}.pdf"
        status, out, err = desk.run(*args, "--pdf", str(pdf))
        assert (status, out) == (0, ""), err
        assert err.startswith(f"wrote {pdf}: ") and err.count("\n") == 1
        _, html, _ = desk.run(*args)
        check_pdf(pdf.read_bytes(), html)
        assert oct(pdf.stat().st_mode & 0o777) != "0o600"  # a file, not a temporary one


def test_without_a_browser_the_pdf_is_a_clear_error_and_no_file(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMKIT_CHROMIUM", str(desk.tmp / "no-such-browser"))
    pdf = desk.tmp / "guide.pdf"
    status, out, err = desk.run("guide", MS, "--pdf", str(pdf))
    assert (status, out) == (1, "")
    assert "io error: 无法生成 PDF" in err and "hint: install chromium" in err
    assert not pdf.exists() and list(desk.tmp.glob(".guide.pdf.*")) == []


def test_a_pdf_into_a_folder_that_is_not_there_is_a_clear_error(desk: Desk) -> None:
    require_browser()
    status, out, err = desk.run("guide", MS, "--pdf", str(desk.tmp / "nowhere" / "g.pdf"))
    assert (status, out) == (1, "")
    assert "io error: cannot write" in err and "hint: --pdf names the file" in err


def test_the_commands_run_as_a_process(desk: Desk) -> None:
    """The real ``python -m formkit``: UTF-8 HTML on stdout, an error without a
    traceback, and a PDF whose text is the HTML's."""
    n = desk.receive(OWNED)
    common = ("--catalog", str(desk.catalog), "--store", desk.store)
    run = formkit("notice", n, "acceptance", *common)
    assert run.returncode == 0 and b"Traceback" not in run.stderr, run.stderr
    html = run.stdout.decode("utf-8")
    assert "受理通知书" in html
    run = formkit("notice", n, "decision", *common)
    assert run.returncode == 1 and b"Traceback" not in run.stderr
    assert run.stdout == b"" and "没有" in run.stderr.decode("utf-8")
    require_browser()
    pdf = desk.tmp / "n.pdf"
    run = formkit("notice", n, "acceptance", *common, "--pdf", str(pdf))
    assert run.returncode == 0 and run.stdout == b"", run.stderr
    check_pdf(pdf.read_bytes(), html)
