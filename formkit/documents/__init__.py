"""The documents a centre prints, from the definition and the case: every notice and
decision of a case (受理, 一次性告知, 不予受理, 容缺受理, 承诺书, 准予/不予 决定, 延期,
特别程序), the matter's 办事指南, as A4 HTML, plain text and PDF.

The legal text comes from ``legal`` (the provision that fits the document and the
matter's kind, then the matter's own basis; the review body and the court);
``layout`` draws every page the same way.
"""

from formkit.documents.cases import case_document, case_document_kinds
from formkit.documents.guide import guide_document
from formkit.documents.layout import Document
from formkit.documents.legal import DOCUMENT_KINDS
from formkit.documents.notices import (
    PROVISIONAL_LINE,
    NoticeInfo,
    notice_kind,
    precheck_document,
    render_notice,
)
from formkit.documents.pdf import html_to_pdf

__all__ = ["DOCUMENT_KINDS", "PROVISIONAL_LINE", "Document", "NoticeInfo", "case_document",
           "case_document_kinds", "guide_document", "html_to_pdf", "notice_kind",
           "precheck_document", "render_notice"]
