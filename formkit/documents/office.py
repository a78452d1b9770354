"""Who issues a document and how to reach them: the same on every document.

The centre's and the department's full names (with the county: 新兴县市场监督管理局,
not 市场监督管理局), the place, the phone to ask, the phone to complain
(监督投诉), the clerk, and the remedies: from the matter's ``guide``, else its
department, else the catalog.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from formkit.definitions.model import Catalog, Matter
from formkit.documents.layout import UNIT_WORDS, Page, day
from formkit.documents.legal import DOCUMENT_KINDS, Remedies, basis_of, remedies_of

# The seal of each decision wording (行政许可法 §32: 加盖本行政机关专用印章)
_SEALS = {"licence": "行政许可专用章", "registration": "登记专用章"}
# The documents that end the service, where the applicant is asked to rate it
# (国办发〔2019〕51号《关于建立政务服务“好差评”制度提高政务服务水平的意见》: 一次一评、
# 一事一评, at the window, online or through the notice).
_RATED = ("refusal", "decision")

__all__ = ["Office", "received_line"]


@dataclass(frozen=True)
class Office:
    """The issuing office of one matter's documents."""

    catalog: Catalog
    matter: Matter

    @property
    def centre(self) -> str:
        """The centre's full name."""
        return self.catalog.name.zh

    @property
    def issuer(self) -> str:
        """The department's full name, which seals the document."""
        return self.catalog.department_full_name(self.matter.department)

    @property
    def remedies(self) -> Remedies:
        """The review body and the court."""
        return remedies_of(self.catalog, self.matter)

    def contacts(self, clerk: str = "", clerk_phone: str = "") -> list[tuple[str, str]]:
        """经办人, 办理地点, 咨询电话, 监督投诉电话: whatever the definitions give."""
        guide = self.matter.guide
        dept = self.catalog.department(self.matter.department)
        place = (guide.place.zh if guide and guide.place else None) or \
            (dept.address.zh if dept and dept.address else None) or \
            (self.catalog.address.zh if self.catalog.address else None)
        phone = (guide.consult_phone if guide else None) or (dept.phone if dept else None) \
            or self.catalog.phone
        complaint = (guide.complaint_phone if guide else None) or self.catalog.complaint_phone
        out: list[tuple[str, str]] = []
        if clerk:
            out.append(("经办人", clerk + (f"（联系电话：{clerk_phone}）" if clerk_phone else "")))
        for label, value in (("办理地点", place), ("咨询电话", phone),
                             ("监督投诉电话", complaint)):
            if value:
                out.append((label, value))
        return out

    def matter_line(self) -> str:
        """申请事项: the matter's name and code."""
        return f"{self.matter.name.zh}（{self.matter.code}）"

    def page(self, kind: str, *, number: str, applicant: str, issued_on: dt.date,
             clerk: str = "", clerk_phone: str = "", title: str | None = None,
             title_en: str | None = None) -> Page:
        """A page of a ``kind`` document with its frame filled in: the names, the facts
        every document shows (applicant, matter, department), the basis, the contacts."""
        zh, en = DOCUMENT_KINDS[kind]
        return Page(title=title or zh, title_en=title_en or en, centre=self.centre,
                    issuer=self.issuer, number=number, issued_on=issued_on,
                    meta=[("申请人", applicant or "—"), ("申请事项", self.matter_line()),
                          ("承办部门", self.issuer), ("受理窗口", self.centre)],
                    basis=basis_of(self.matter, kind),
                    contacts=self.contacts(clerk, clerk_phone) + (
                        [("服务评价（好差评）", self.rating_line(number))]
                        if kind in _RATED else []),
                    seal=_SEALS.get(self.matter.wording, "印章"))

    def rating_line(self, number: str) -> str:
        """Where the applicant rates the service: the catalog's ``rating_url`` with the
        case number, and the window's rating at the counter."""
        url = self.catalog.rating_url
        return (f"请访问 {url} 输入案件编号 {number} 对本次服务作出评价，也可在受理窗口评价"
                if url else f"请在受理窗口对本次服务作出评价（案件编号 {number}）")

    def unit(self) -> str:
        """The unit of the matter's time limit as documents print it."""
        return UNIT_WORDS[self.matter.time_limit.unit]


def received_line(applicant: str, received_on: dt.date | None, matter: Matter) -> str:
    """The opening of most documents: who applied for what, when."""
    return f"{applicant or '申请人'}：你（单位）于{day(received_on)}提出的{matter.name.zh}申请，"
