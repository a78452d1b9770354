"""`formkit notice` and `formkit guide`: the printed documents from a shell (issue #15).

``notice NUMBER KIND`` renders one document of a stored case (受理通知书, 一次性告知书
...) from the case and the matter version it was received under (``case.version``,
as ``cases act`` evaluates it); ``notice BUNDLE --data FILE`` a bundle's combined
document (高效办成一件事) for a submission, pre-checked now; ``guide CODE`` the 办事指南
of a matter as the catalog holds it now. Either prints the HTML, the plain text
(``--text``), or writes the PDF the browser engine prints (``--pdf FILE``).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from formkit.calendar import WorkCalendar
from formkit.cases.service import CaseService
from formkit.cases.store import CaseStore
from formkit.cases.versions import case_rules
from formkit.catalog import OpenCatalog
from formkit.definitions.model import Catalog
from formkit.documents import Document, case_document
from formkit.documents.bundle_notices import BundleNoticeInfo, bundle_document
from formkit.errors import DefinitionError, FormkitErrors, InputError
from formkit.intake.bundles import run_bundle_precheck
from formkit.intake.forms import applicant_of

__all__ = ["bundle_notice", "case_notice", "catalog_of", "emit"]


def catalog_of(opened: OpenCatalog) -> Catalog:
    """The centre's catalog (its name, departments, contacts); raises its errors when
    ``catalog.yaml`` does not load."""
    if opened.catalog is None:
        broken = [e for e in opened.errors if e.span is None or e.span.file is None
                  or Path(e.span.file).name == "catalog.yaml"] or opened.errors
        if not broken:  # pragma: no cover - open_catalog reports why it has no catalog
            raise DefinitionError("the catalog could not be read", None)
        raise broken[0] if len(broken) == 1 else FormkitErrors(broken)
    return opened.catalog


def case_notice(store: CaseStore, opened: OpenCatalog, number: str, kind: str) -> Document:
    """The ``kind`` document of case ``number``, from its matter version.

    Raises:
        NotFoundError: no case has ``number`` (``unknown-case``).
        DefinitionError: the case's matter version is not in the store
            (``unknown-version``), or the catalog does not load.
        DocumentUnavailable: the case has no such document now (``no-document``).
    """
    calendar: WorkCalendar = opened.work_calendar()
    case = CaseService(store, calendar).get(number)
    matter = case_rules(store, case).matter
    return case_document(catalog_of(opened), matter, case, kind, calendar=calendar)


def bundle_notice(opened: OpenCatalog, code: str, data: dict[str, Any], kind: str | None,
                  *, today: dt.date | None = None) -> Document:
    """The combined document of bundle ``code`` for the submission ``data``, pre-checked
    on ``today``: the one its outcome calls for, or ``kind`` (acceptance, supplement,
    refusal). No case is made: the numbers are left blank for the window to fill in.

    Raises:
        NotFoundError: no bundle ``code`` (``unknown-matter``).
        InputError: no member applies to the answers (``bad-data``).
        FormkitErrors: the bundle or a member has definition errors.
        DocumentUnavailable: the submission has no such document (``no-document``).
    """
    rules = opened.bundle_rules_of(code)
    if rules is None:
        raise opened.unknown_matter(code)
    broken = rules.problems
    if broken:
        raise broken[0] if len(broken) == 1 else FormkitErrors(broken)
    calendar = opened.work_calendar()
    result = run_bundle_precheck(rules, data, today=today, calendar=calendar)
    if not result.results:
        raise InputError(f"no matter of bundle {code} applies to these answers", None,
                         code="bad-data", hint="check the shared answers that decide "
                         "which matters apply")
    applicant = next((name for c, sub in result.submissions.items()
                      if (name := applicant_of(rules.members[c].matter, sub["fields"]))), "")
    matters = {c: r.matter for c, r in rules.members.items()}
    return bundle_document(catalog_of(opened), rules.bundle, matters, result,
                           BundleNoticeInfo(applicant=applicant), kind, calendar=calendar)


def emit(doc: Document, *, pdf: str | None, text: bool) -> None:
    """Print the HTML (or, with ``text``, the plain text) to stdout; with ``pdf``, write
    the PDF there instead and say so on stderr.

    The PDF is written to a temporary file beside ``pdf`` and renamed: a failed print
    leaves no half-written file, and an older PDF of that name as it was.

    Raises:
        PdfUnavailable: no browser engine, or it failed (``no-pdf-engine``, ``pdf-failed``).
        InputError: ``pdf`` cannot be written (``io``).
    """
    if pdf is None:
        body = doc.text if text else doc.html
        sys.stdout.write(body if body.endswith("\n") else body + "\n")
        return
    from formkit.documents.pdf import html_to_pdf

    data = html_to_pdf(doc.html)
    target = Path(pdf)
    try:
        fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                       dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        raise _unwritable(pdf, exc) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        mask = os.umask(0)  # the mode a file written in place gets
        os.umask(mask)
        os.chmod(partial, 0o666 & ~mask)
        os.replace(partial, target)
    except OSError as exc:
        Path(partial).unlink(missing_ok=True)
        raise _unwritable(pdf, exc) from None
    print(f"wrote {pdf}: {doc.title} ({len(data)} bytes)", file=sys.stderr)


def _unwritable(path: str, exc: OSError) -> InputError:
    return InputError(f"cannot write {path}: {exc.strerror or exc}", None,
                      hint="--pdf names the file to write, in a folder that exists and "
                           "can be written")
