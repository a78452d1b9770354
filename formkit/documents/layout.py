"""Every document's layout: one A4 page model, rendered as HTML or as plain text.

A :class:`Page` holds what a document says; :func:`render` lays one or more pages
out the same way for every document: the centre and the issuing department by
their full names, the title, the document number, the facts table, the
paragraphs, the items table, the legal basis, the remedies, the contacts, and
the signature block with the seal's place and the applicant's receipt line.
Every text is escaped: definitions and answers are data, never markup.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["UNIT_WORDS", "Document", "Page", "Table", "day", "render"]


# A time limit's unit as documents print it after the number: 5个工作日, 60日.
UNIT_WORDS = {"working_days": "个工作日", "calendar_days": "日"}


def day(value: dt.date | None) -> str:
    """A date as documents print it: 2026年12月7日 (— when there is none)."""
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


@dataclass(frozen=True)
class Table:
    """A numbered table of a page, with an optional heading above it."""

    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    heading: str = ""


@dataclass
class Page:
    """One page of a document, in reading order."""

    title: str
    title_en: str
    centre: str  # the centre's full name: the window that took the application
    issuer: str  # the department's full name (新兴县市场监督管理局): the letterhead, the seal
    number: str  # 文书编号: the case number (a guide: the matter's code)
    issued_on: dt.date
    meta: list[tuple[str, str]] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # paragraphs under the items
    basis: list[str] = field(default_factory=list)
    remedies: str = ""
    contacts: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # small print: the provisional line
    # who signs: the office (seal and the applicant's receipt), the applicant (a
    # commitment: the applicant's signature, the office's receipt), or no one (a guide)
    signer: Literal["office", "applicant", "none"] = "office"
    number_label: str = "文书编号"
    seal: str = "印章"  # the seal's name: 行政许可专用章 for a licence


@dataclass(frozen=True)
class Document:
    """A rendered document: its kind, its own title, and the same text twice."""

    kind: str
    title: str
    title_en: str
    number: str
    html: str
    text: str

    def filename(self, ext: str) -> str:
        """A file name for a download: the number and the kind (``FK...-acceptance.pdf``)."""
        stem = re.sub(r"[^\w.-]+", "_", f"{self.number}-{self.kind}").strip("_")
        return f"{stem}.{ext.lstrip('.')}"


def _signature(page: Page) -> list[str]:
    if page.signer == "none":
        return []
    if page.signer == "applicant":
        return ["承诺人（签字或盖章）：______________　日期：____年__月__日",
                f"收件单位：{page.issuer}　收件人：__________　日期：{day(page.issued_on)}"]
    return [f"{page.issuer}（{page.seal}）", day(page.issued_on),
            "申请人签收：______________　日期：____年__月__日"]


def _text(page: Page) -> list[str]:
    out = [page.issuer, page.title, f"{page.number_label}：{page.number}", ""]
    out += [f"{k}：{v}" for k, v in page.meta]
    out.append("")
    out += page.body
    for table in page.tables:
        if table.heading:
            out.append(f"【{table.heading}】")
        for i, row in enumerate(table.rows, 1):
            cells = [f"{c}：{v}" for c, v in zip(table.columns[1:], row[1:], strict=True)
                     if v]
            out.append(f"  {i}. {row[0]}" + (f"（{'；'.join(cells)}）" if cells else ""))
    out += page.after
    if page.basis:
        out.append(f"法律依据：{'；'.join(page.basis)}。")
    if page.remedies:
        out.append(page.remedies)
    out += page.notes
    out.append("")
    out += [f"{k}：{v}" for k, v in page.contacts]
    sign = _signature(page)
    return [*out, "", *sign] if sign else out


_CSS = """
@page { size: A4; margin: 20mm 18mm; }
body { font-family: "AR PL UMing CN", "SimSun", "Songti SC", "Noto Serif CJK SC", serif;
       font-size: 12pt; line-height: 1.7; color: #000; margin: 0; }
.page { break-after: page; }
.page:last-child { break-after: auto; }
.centre { text-align: center; font-size: 14pt; }
h1 { text-align: center; font-size: 20pt; margin: 0.2em 0 0; letter-spacing: 0.1em; }
h2 { text-align: center; font-size: 10pt; font-weight: normal; margin: 0; color: #333; }
.number { text-align: right; margin: 0.5em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #000; padding: 2px 6px; text-align: left; vertical-align: top; }
.meta th { width: 7em; white-space: nowrap; }
.items th { white-space: nowrap; }
p { margin: 0.3em 0; text-indent: 2em; }
p.basis, p.remedies { text-indent: 2em; }
.notes p { font-size: 10pt; text-indent: 0; }
.contacts { margin-top: 1em; }
.contacts p { text-indent: 0; }
.signature { margin-top: 2em; text-align: right; }
.signature p { text-indent: 0; }
.seal { display: inline-block; width: 38mm; height: 38mm; border: 1px dashed #999;
        border-radius: 50%; text-align: center; line-height: 38mm; color: #999;
        font-size: 10pt; }
.receipt { text-align: left; margin-top: 1.5em; }
h3 { font-size: 12pt; margin: 0.8em 0 0.2em; }
/* the Ming face has no bold: a synthetic bold would print as drawn glyphs (Type 3) */
h1, h2, h3, th { font-weight: normal; }
"""


def _html_table(table: Table) -> str:
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in ("序号", *table.columns))
    body = "".join("<tr>" + f"<td>{i}</td>" + "".join(f"<td>{e(v)}</td>" for v in row)
                   + "</tr>" for i, row in enumerate(table.rows, 1))
    heading = f'<h3>{e(table.heading)}</h3>' if table.heading else ""
    return (f'{heading}<table class="items"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _html_page(page: Page) -> str:
    e = html.escape
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in page.meta)
    paras = "".join(f"<p>{e(p)}</p>" for p in page.body)
    table = "".join(_html_table(t) for t in page.tables)
    after = "".join(f"<p>{e(p)}</p>" for p in page.after)
    basis = f'<p class="basis">法律依据：{e("；".join(page.basis))}。</p>' if page.basis else ""
    remedies = f'<p class="remedies">{e(page.remedies)}</p>' if page.remedies else ""
    notes = ('<div class="notes">' + "".join(f"<p>{e(n)}</p>" for n in page.notes)
             + "</div>") if page.notes else ""
    contacts = "".join(f"<p>{e(k)}：{e(v)}</p>" for k, v in page.contacts)
    sign = _signature(page)
    if not sign:
        signature = ""
    elif page.signer == "applicant":
        signature = (f'<div class="signature"><p>{e(sign[0])}</p></div>'
                     f'<p class="receipt">{e(sign[1])}</p>')
    else:
        signature = (f'<div class="signature"><span class="seal">（{e(page.seal)}）</span>'
                     f"<p>{e(sign[0])}</p><p>{e(sign[1])}</p></div>"
                     f'<p class="receipt">{e(sign[2])}</p>')
    return (f'<section class="page">\n<div class="centre">{e(page.issuer)}</div>\n'
            f"<h1>{e(page.title)}</h1><h2>{e(page.title_en)}</h2>\n"
            f'<div class="number">{e(page.number_label)}：{e(page.number)}</div>\n'
            f'<table class="meta">{rows}</table>\n{paras}{table}{after}{basis}{remedies}'
            f'{notes}\n<div class="contacts">{contacts}</div>\n{signature}\n</section>')


def render(kind: str, pages: list[Page]) -> Document:
    """The document of ``pages`` (at least one) as HTML and as text."""
    first = pages[0]
    text = "\n\f\n".join("\n".join(_text(p)) for p in pages) + "\n"
    body = "\n".join(_html_page(p) for p in pages)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(first.title)}</title>
<style>{_CSS}</style></head>
<body class="document document-{kind}">
{body}
</body></html>
"""
    return Document(kind=kind, title=" / ".join(dict.fromkeys(p.title for p in pages)),
                    title_en=first.title_en, number=first.number, html=page, text=text)
