"""The legal text a document prints: its basis, the decision's wording, the remedies.

A document's basis is the provision that fits the document and the matter's kind,
then the matter's own ``basis``. For a matter decided as a licence (行政许可)
formkit knows the provisions of 行政许可法; the matter adds its own law's articles
per document in ``document_basis`` (食品经营许可和备案管理办法's extension ...). A
matter governed by another law (市场主体登记管理条例, 不动产登记暂行条例, 社会救助暂行办法
...) is worded as a registration or an approval and gets no 行政许可法 default: only
its own provisions are printed, never a sentence of a law that does not govern it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from formkit.definitions.model import Catalog, Matter

__all__ = ["COMMITMENT_POLICY", "DOCUMENT_KINDS", "Remedies", "Wording", "basis_of",
           "licensed", "remedies_of", "wording_of"]

# Every document of a case, in the order a case meets them (http-api.md's kinds):
# the generic title, Chinese then English. A decision's own title depends on the
# matter's wording and the outcome (``Wording``).
DOCUMENT_KINDS: dict[str, tuple[str, str]] = {
    "acceptance": ("受理通知书", "Notice of Acceptance"),
    "supplement": ("一次性告知书（补正材料通知书）", "One-time Notice of Items to Supply"),
    "refusal": ("不予受理决定书", "Decision of Non-acceptance"),
    "tolerance": ("容缺受理通知书", "Notice of Acceptance with Materials to Follow"),
    "commitment": ("承诺书", "Letter of Commitment"),
    "decision": ("决定书", "Decision"),
    "extension": ("延期通知书", "Notice of Extension of the Time Limit"),
    "special_procedure": ("特别程序告知书", "Notice of a Special Procedure"),
}

_LAW = "《中华人民共和国行政许可法》"
# 行政许可法's provisions for each document of a matter decided as a licence
# (``decision_wording: licence``; a registration or a benefit has its own law).
_LICENSING: dict[str, tuple[str, ...]] = {
    # §32(1)(5): 申请材料齐全、符合法定形式 ... 应当受理
    "acceptance": (f"{_LAW}第三十二条第一款第（五）项",),
    # §32(1)(4): 当场或者在五日内一次告知申请人需要补正的全部内容
    "supplement": (f"{_LAW}第三十二条第一款第（四）项",),
    # §32(1)(1)(2): 依法不需要取得行政许可的 / 不属于本行政机关职权范围的
    "refusal": (f"{_LAW}第三十二条第一款第（一）项、第（二）项",),
    # 容缺受理 is accepting with the main materials complete: §32(1)(5)
    "tolerance": (f"{_LAW}第三十二条第一款第（五）项",),
    # §31: 申请人 ... 对其申请材料实质内容的真实性负责
    "commitment": (f"{_LAW}第三十一条",),
    # §38(1): 准予 ... 书面决定; §44: 十日内颁发、送达行政许可证件
    "decision": (f"{_LAW}第三十八条第一款", f"{_LAW}第四十四条"),
    # §38(2): 不予 ... 说明理由，并告知 ... 申请行政复议或者提起行政诉讼的权利
    "decision_deny": (f"{_LAW}第三十八条第二款",),
    # §42(1): 经本行政机关负责人批准，可以延长十日，并应当将延长期限的理由告知申请人
    "extension": (f"{_LAW}第四十二条第一款",),
    # §45: 所需时间不计算在本节规定的期限内，行政机关应当将所需时间书面告知申请人
    "special_procedure": (f"{_LAW}第四十五条",),
}
# 证明事项告知承诺制: a signed commitment in place of a certificate, whatever the matter
COMMITMENT_POLICY = "《国务院办公厅关于全面推行证明事项告知承诺制的指导意见》（国办发〔2020〕42号）"


def basis_of(matter: Matter, kind: str) -> list[str]:
    """The provisions a ``kind`` document of ``matter`` prints, most specific first:
    行政许可法's article for a matter decided as a licence, then the matter's own
    ``document_basis`` for the document (a deny decision's falls back to the grant's),
    then its ``basis``."""
    own = cast(dict[str, list[str]], matter.document_basis)
    provisions = own.get(kind)
    if provisions is None and kind == "decision_deny":
        provisions = own.get("decision")
    default = _LICENSING.get(kind, ()) if matter.wording == "licence" else ()
    return _merged(list(dict.fromkeys([*default, *(provisions or ()), *matter.basis])))


def _merged(provisions: list[str]) -> list[str]:
    """Neighbouring articles of one law cited once: 《法》第三十八条第一款、第四十四条."""
    out: list[str] = []
    for text in provisions:
        law, _, article = text.partition("》")
        prev = out[-1] if out else ""
        if article.startswith("第") and law.startswith("《") and prev.startswith(law + "》第"):
            out[-1] = f"{prev}、{article}"
        else:
            out.append(text)
    return out


@dataclass(frozen=True)
class Wording:
    """How a decision is worded for a matter: the titles and verbs of both outcomes."""

    grant_title: str
    deny_title: str
    grant: str  # the verb: 准予行政许可
    deny: str


_WORDINGS = {
    "licence": Wording("准予行政许可决定书", "不予行政许可决定书", "准予行政许可", "不予行政许可"),
    "registration": Wording("准予登记决定书", "不予登记决定书", "准予登记", "不予登记"),
    "approval": Wording("批准决定书", "不予批准决定书", "予以批准", "不予批准"),
    "handling": Wording("办理结果告知书", "不予办理决定书", "予以办理", "不予办理"),
}


def licensed(matter: Matter) -> bool:
    """Whether 行政许可法's procedure governs the matter's documents (its §44 ten days, its
    §45 procedures): a matter decided as a licence."""
    return matter.wording == "licence"


def wording_of(matter: Matter) -> Wording:
    """The decision wording of ``matter`` (``decision_wording``, or its kind's)."""
    return _WORDINGS[matter.wording]


@dataclass(frozen=True)
class Remedies:
    """Where and how long to seek review: 行政复议 (60 days) and 行政诉讼 (6 months)."""

    review_body: str | None
    court: str | None

    def sentence(self, noun: str) -> str:
        """The remedies paragraph of a document called ``noun`` (决定书, 通知书 ...).

        行政复议法 (2023) 第二十条第一款: sixty days from knowing of the act;
        行政诉讼法 第四十六条第一款: six months when suing directly.
        """
        body = f"向{self.review_body}" if self.review_body else ""
        court = f"向{self.court}" if self.court else "向人民法院"
        return (f"如不服本{noun}，可以自收到本{noun}之日起六十日内{body}申请行政复议，"
                f"也可以自收到本{noun}之日起六个月内直接{court}提起行政诉讼"
                "（《中华人民共和国行政复议法》第二十条第一款、"
                "《中华人民共和国行政诉讼法》第四十六条第一款）。")


    def general(self) -> str:
        """The remedies as a service guide states them, before any decision."""
        body = f"向{self.review_body}" if self.review_body else ""
        court = f"向{self.court}" if self.court else "向人民法院"
        return (f"对本事项的决定不服的，可以自知道该决定之日起六十日内{body}申请行政复议，"
                f"也可以自知道该决定之日起六个月内直接{court}提起行政诉讼。")


def remedies_of(catalog: Catalog, matter: Matter) -> Remedies:
    """The review body and the court for ``matter``'s department, from the catalog."""
    return Remedies(catalog.review_body_of(matter.department),
                    catalog.court_of(matter.department))
