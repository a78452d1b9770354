"""Pydantic models of a catalog and a matter, exactly as matter-format.md states.

Unknown keys are errors (``extra="forbid"``): a typo must never drop a rule.
Expressions are kept as ``Expr`` values that remember where their text starts
in the YAML file, so the rule checker can point inside them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    field_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from formkit.definitions.yamldoc import PosStr
from formkit.errors import SourceSpan

__all__ = [
    "Bundle",
    "BundleExample",
    "BundleExpect",
    "BundleHanded",
    "BundleMember",
    "Catalog",
    "Check",
    "Cond",
    "DecisionWording",
    "Department",
    "DocumentKind",
    "Example",
    "Expect",
    "Expr",
    "Extension",
    "FeeItem",
    "FieldType",
    "FormField",
    "Guide",
    "HandedMaterial",
    "Label",
    "Material",
    "Matter",
    "MatterKind",
    "OnceMaterial",
    "Option",
    "Phone",
    "RouteStep",
    "Section",
    "SharedQuestion",
    "SpecialProcedure",
    "TimeLimit",
    "iter_fields",
]

MAX_EXPRESSION_CHARS = 4000


class Expr:
    """An expression's text and, when read from YAML, where it starts in the file."""

    __slots__ = ("source", "text")

    def __init__(self, text: str, source: PosStr | None = None) -> None:
        self.text = str(text)
        self.source = source if source is not None else (
            text if isinstance(text, PosStr) else None)

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expr) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def span(self, offset: int = 0, end_offset: int | None = None) -> SourceSpan | None:
        """The file span of characters ``offset``..``end_offset`` of the expression."""
        if self.source is None:
            return None
        return self.source.span_of(offset, end_offset)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _to_expr, serialization=core_schema.plain_serializer_function_ser_schema(str))

    def __str__(self) -> str:
        return self.text


def _to_expr(value: Any) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        # `let: {strict: true}`: a constant is an expression too.
        return Expr("true" if value else "false")
    if isinstance(value, int | float) and math.isfinite(value):
        return Expr(str(value))
    if isinstance(value, str):
        if not value.strip():
            raise PydanticCustomError("expr_empty", "an expression may not be empty")
        return Expr(value)
    raise PydanticCustomError("expr_type", "expected an expression (text)")


# YAML 1.1 spelled true and false this way; the loader reads them as text (YAML 1.2),
# but where only a condition makes sense an editor's `required: yes` means true.
_YES_NO = {w: b for words, b in ((("yes", "on"), True), (("no", "off"), False))
           for word in words for w in (word, word.title(), word.upper())}


def _to_cond(value: Any) -> bool | Expr:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in _YES_NO:
            return _YES_NO[value]
        return _to_expr(value)
    raise PydanticCustomError("cond_type", "expected true, false or an expression")


def _to_amount(value: Any) -> Decimal | Expr:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or value < 0:
            raise PydanticCustomError("fee_range", "a fee is a number of yuan, 0 or more")
        return Decimal(str(value))
    if isinstance(value, str):
        return _to_expr(value)
    raise PydanticCustomError("fee_type", "expected a number of yuan or an expression")


def _no_bool(value: Any) -> Any:
    # pydantic reads `copies: true` as 1; in a definition it is a slip, not a count.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "expected a whole number, not true/false")
    return value


def _label_text(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("label_empty", "the Chinese text may not be empty")
    return value


def _synonym(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError("synonym_type", "expected a word a citizen asks by (text)")
    if not value.strip():
        raise PydanticCustomError("synonym_empty", "a synonym may not be empty")
    return value


# formkit's ``synonyms``: the words citizens ask for a matter by (营业执照, 开店), that
# the window's matter search finds it by besides its name and result
Synonym = Annotated[str, BeforeValidator(_synonym), Field(max_length=40)]
MAX_SYNONYMS = 50


# 咨询/投诉电话: 0766-2888888, 2888888, 12345, 0766-12345, 020-12345678-801, 400-123-4567
_PHONE = re.compile(r"^(?:(?:\d{3,4}-)?\d{5,8}(?:-\d{1,6})?|[48]00-?\d{3}-?\d{4})$")


def _to_phone(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # `complaint_phone: 12345` (a leading zero keeps it text)
    if not isinstance(value, str):
        raise PydanticCustomError("phone_type", "expected a telephone number (text)")
    if not _PHONE.match(value.strip()):
        raise PydanticCustomError("phone", "'{value}' is not a telephone number",
                                  {"value": value[:40]})
    return value.strip()


def _to_resource(value: Any) -> Any:
    """A template or sample: an http(s) URL, or a path inside the catalog folder."""
    if not isinstance(value, str):
        return value  # pydantic says "expected text"
    text = value.strip()
    if not text:
        raise PydanticCustomError("resource", "a file path or URL may not be empty")
    low = text.lower()
    if low.startswith(("http://", "https://")):
        if len(text) <= len("https://") or any(c.isspace() for c in text):
            raise PydanticCustomError("resource", "'{value}' is not a valid URL",
                                      {"value": text[:80]})
        return text
    if "://" in text:
        raise PydanticCustomError("resource_url", "only http and https links are allowed")
    if text.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", text):
        raise PydanticCustomError("resource_absolute",
                                  "'{value}' is an absolute path", {"value": text[:80]})
    depth = 0
    for part in re.split(r"[/\\]", text):
        if part == "..":
            depth -= 1
            if depth < 0:
                raise PydanticCustomError("resource_outside",
                                          "'{value}' points outside the catalog folder",
                                          {"value": text[:80]})
        elif part not in ("", "."):
            depth += 1
    return text


def _ser_cond(value: Any) -> Any:
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


Cond = Annotated[bool | Expr, PlainValidator(_to_cond), PlainSerializer(_ser_cond)]
"""``true``, ``false`` or an expression (``required``, ``visible``, ``constraint``, ``when``)."""

Amount = Annotated[Decimal | Expr, PlainValidator(_to_amount), PlainSerializer(_ser_cond)]

Int = Annotated[int, BeforeValidator(_no_bool)]
"""A whole number; ``true``/``false`` are not numbers here."""

Phone = Annotated[str, PlainValidator(_to_phone)]
"""A telephone number: ``0766-2888888``, ``12345``, ``400-123-4567``."""

Resource = Annotated[str, PlainValidator(_to_resource)]
"""An http(s) URL, or a file path relative to the catalog folder (checked to exist by
the cross-checks)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)


Ident = Annotated[str, Field(pattern=r"^[^\W\d]\w*$", max_length=64)]
"""A name usable in expressions: a Unicode word not starting with a digit."""


class Label(_Strict):
    """A text in Chinese (required) and English (optional)."""

    zh: Annotated[str, BeforeValidator(_label_text)]
    en: str | None = None

    def text(self, lang: str = "zh") -> str:
        """The text in ``lang``, falling back to Chinese."""
        return self.en if lang == "en" and self.en else self.zh


class Section(_Strict):
    """A back-office unit of a department that cases are routed to."""

    id: Ident
    name: Label


class Department(_Strict):
    """A department hosted by the centre."""

    id: Ident
    name: Label
    sections: list[Section] = Field(default_factory=list)
    # formkit's: the name printed on documents (国家税务总局新兴县税务局), where the
    # department's review body and court are not the catalog's, its address and phone
    full_name: Label | None = None
    review_body: Label | None = None
    court: Label | None = None
    address: Label | None = None
    phone: Phone | None = None


class Catalog(_Strict):
    """The centre: its name, departments, calendar file and rules folder."""

    name: Label
    departments: list[Department] = Field(min_length=1)
    calendar: str | None = None
    rules: str = "../rules"
    code_prefix: str = Field(default="FK", pattern=r"^[A-Z0-9]{1,8}$")
    # formkit's: the county (新兴县), the centre's address and phones, and by default
    # the 行政复议机关 and the court of first instance for the departments' decisions
    region: Label | None = None
    address: Label | None = None
    phone: Phone | None = None
    complaint_phone: Phone | None = None
    review_body: Label | None = None
    court: Label | None = None
    # formkit's: where an applicant rates a finished case (好差评), printed with the case
    # number on the documents that end the service; the window rates at the counter.
    rating_url: str | None = Field(default=None, min_length=8, max_length=300,
                                   pattern=r"^https?://\S+$")

    def department(self, dept_id: str) -> Department | None:
        """The department with this id, if any."""
        return next((d for d in self.departments if d.id == dept_id), None)

    def department_full_name(self, dept_id: str, lang: str = "zh") -> str:
        """The department's name on documents: its ``full_name``, else the region
        followed by its name (新兴县市场监督管理局), else its name; an unknown id as is."""
        dept = self.department(dept_id)
        if dept is None:
            return dept_id
        if dept.full_name is not None:
            return dept.full_name.text(lang)
        name = dept.name.text(lang)
        if self.region is None:
            return name
        region = self.region.text(lang)
        if name.startswith(region):
            return name
        return f"{region} {name}" if lang == "en" and self.region.en else region + name

    def review_body_of(self, dept_id: str, lang: str = "zh") -> str | None:
        """The 行政复议机关 for the department's decisions: its own, else the catalog's."""
        dept = self.department(dept_id)
        body = dept.review_body if dept is not None and dept.review_body else self.review_body
        return body.text(lang) if body is not None else None

    def court_of(self, dept_id: str, lang: str = "zh") -> str | None:
        """The court of first instance for 行政诉讼: the department's, else the catalog's."""
        dept = self.department(dept_id)
        court = dept.court if dept is not None and dept.court else self.court
        return court.text(lang) if court is not None else None


class CalendarDay(_Strict):
    """One day in the centre's own calendar file."""

    date: dt.date
    name: Label | None = None


class OfficialYear(_Strict):
    """One year of a State Council notice the ``chinesecalendar`` package does not have yet.

    The notice replaces the whole year: its holidays are rest days, its 调休 working days
    count, and the year is no longer provisional.
    """

    year: int = Field(ge=2000, le=2099)
    holidays: list[dt.date] = Field(min_length=1)
    workdays: list[dt.date] = Field(default_factory=list)  # 调休 working days

    @field_validator("holidays", "workdays")
    @classmethod
    def _same_year(cls, v: list[dt.date], info: Any) -> list[dt.date]:
        year, holidays = info.data.get("year"), info.data.get("holidays") or []
        for d in v:
            if year is not None and d.year != year:
                raise ValueError(f"{d.isoformat()} is not in the year {year} of this notice")
        both = sorted(set(holidays) & set(v)) if info.field_name == "workdays" else []
        if both:
            raise ValueError(f"{both[0].isoformat()} is listed both as holiday and as "
                             "working day")
        return v


class CalendarFile(_Strict):
    """The centre's overrides of the official schedule (``calendar.yaml``).

    Only ``holidays`` changes what a time limit counts; ``closures`` and ``workdays`` say
    when the window works (see ``formkit.calendar`` and docs/matter-format.md).
    """

    # the centre shut on a working day: still counted (行政许可法 §82), but a limit
    # ending on it ends on the next open working day (民法典 §203)
    closures: list[CalendarDay] = Field(default_factory=list)
    # 延时服务日: the window opens on a rest day; never counted toward a limit
    workdays: list[CalendarDay] = Field(default_factory=list)
    # the place's own statutory rest days (全国年节及纪念日放假办法 §4): not counted
    holidays: list[CalendarDay] = Field(default_factory=list)
    # a newly published State Council notice, ahead of the chinesecalendar package
    official: list[OfficialYear] = Field(default_factory=list)

    @field_validator("official")
    @classmethod
    def _one_notice_a_year(cls, v: list[OfficialYear]) -> list[OfficialYear]:
        years = [y.year for y in v]
        twice = sorted({y for y in years if years.count(y) > 1})
        if twice:
            raise ValueError(f"the year {twice[0]} is given twice under official")
        return v

    @field_validator("workdays")
    @classmethod
    def _open_or_shut(cls, v: list[CalendarDay], info: Any) -> list[CalendarDay]:
        # A day cannot be both: which one the centre meant is for the file to say.
        shut = {d.date for d in info.data.get("closures") or ()}
        both = sorted({d.date for d in v} & shut)
        if both:
            raise ValueError(f"{both[0].isoformat()} is listed both under closures and "
                             "under workdays: keep one")
        return v


class MatterKind(StrEnum):
    """事项类型, with the national code in the comment."""

    administrative_licensing = "administrative_licensing"  # 01 行政许可
    administrative_punishment = "administrative_punishment"  # 02 行政处罚
    administrative_enforcement = "administrative_enforcement"  # 03 行政强制
    administrative_levy = "administrative_levy"  # 04 行政征收
    administrative_payment = "administrative_payment"  # 05 行政给付
    administrative_inspection = "administrative_inspection"  # 06 行政检查
    administrative_confirmation = "administrative_confirmation"  # 07 行政确认
    administrative_reward = "administrative_reward"  # 08 行政奖励
    administrative_ruling = "administrative_ruling"  # 09 行政裁决
    other_administrative = "other_administrative"  # 10 其他行政权力
    public_service = "public_service"  # 20 公共服务


class FieldType(StrEnum):
    """The types a form field may have."""

    text = "text"
    textarea = "textarea"
    number = "number"
    integer = "integer"
    money = "money"
    boolean = "boolean"
    date = "date"
    choice = "choice"
    multichoice = "multichoice"
    id_number = "id_number"
    uscc = "uscc"
    mobile = "mobile"
    email = "email"
    group = "group"
    repeat = "repeat"


TEXT_TYPES = frozenset({FieldType.text, FieldType.textarea, FieldType.choice,
                        FieldType.id_number, FieldType.uscc, FieldType.mobile, FieldType.email})
NUMBER_TYPES = frozenset({FieldType.number, FieldType.integer, FieldType.money})


class Option(_Strict):
    """One option of a choice or multichoice field."""

    value: str = Field(min_length=1)
    label: Label

    @field_validator("value", mode="before")
    @classmethod
    def _scalar_text(cls, v: Any) -> Any:
        # `value: 1` or `value: yes` in YAML are numbers/booleans: keep them as text.
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return str(v)
        return v


class FormField(_Strict):
    """A field of the intake form; ``group`` and ``repeat`` nest ``fields``."""

    id: Ident
    type: FieldType
    label: Label | None = None
    required: Cond = False
    visible: Cond = True
    constraint: Cond | None = None
    message: Label | None = None
    value: Expr | None = None
    default: Any = None
    help: Label | None = None
    placeholder: Label | None = None
    options: list[Option] | None = None
    fields: list[FormField] | None = None
    min: Decimal | None = None
    max: Decimal | None = None

    def title(self, lang: str = "zh") -> str:
        """The label in ``lang``, or the id when the field has none."""
        return self.label.text(lang) if self.label is not None else self.id


class Material(_Strict):
    """A material (申请材料) the applicant hands in or the window fetches."""

    id: Ident
    name: Label
    form: Literal["original", "copy", "original_and_copy"] = "original"
    medium: Literal["paper", "electronic", "either"] = "paper"
    copies: Int = Field(default=1, ge=0, le=100)
    required: Cond = True
    tolerable: bool = False
    # working days to supply it after 容缺受理 (the catalog's default when absent)
    tolerable_days: Int | None = Field(default=None, ge=1, le=365)
    source: Literal["applicant", "government", "intermediary", "other"] = "applicant"
    notes: Label | None = None
    standard: Label | None = None
    commitment: bool = False  # 告知承诺: a signed commitment may replace it
    template: Resource | None = None  # 空白表格
    sample: Resource | None = None  # 示例样表
    basis: Label | None = None  # 材料依据


class Channel(StrEnum):
    """办理渠道: where the matter can be applied for."""

    window = "window"
    online = "online"
    self_service = "self_service"
    mail = "mail"


class Guide(_Strict):
    """办事指南: what the applicant is told and the guide prints (matter-format v2)."""

    service_objects: list[Literal["natural_person", "legal_person", "other_organisation"]] \
        = Field(default_factory=list)
    conditions: Label | None = None  # 受理条件
    process: list[Label] = Field(default_factory=list)  # 办理流程
    place: Label | None = None
    hours: Label | None = None
    consult_phone: Phone | None = None
    complaint_phone: Phone | None = None
    delivery: list[Literal["window", "post", "electronic"]] = Field(default_factory=list)
    result_validity: Label | None = None  # 审批结果有效期
    scope: Literal["county", "city", "province", "national"] | None = None  # 通办范围
    online_depth: Int | None = Field(default=None, ge=1, le=4)  # 网办深度
    appointment: bool | None = None
    intermediary: list[Label] = Field(default_factory=list)  # 中介服务
    notes: Label | None = None  # formkit's: 其他说明, printed at the end of the guide


class FeeItem(_Strict):
    """One item of ``fees``: its name, amount (a number or an expression), basis, and
    (formkit's) the condition under which it applies."""

    name: Label
    amount: Amount
    basis: Label | None = None
    when: Cond = True


DecisionWording = Literal["licence", "registration", "approval", "handling"]
"""How decision documents are titled: 准予/不予行政许可, 准予/不予登记, 批准/不予批准,
办理/不予办理."""

DocumentKind = Literal["acceptance", "supplement", "refusal", "tolerance", "commitment",
                       "decision", "decision_deny", "extension", "special_procedure"]
"""The documents whose legal basis ``document_basis`` may give (``decision_deny``: the
decision against the applicant, when it rests on other provisions than the grant)."""

_WORDING_BY_KIND: dict[str, DecisionWording] = {
    "administrative_licensing": "licence",
    "administrative_confirmation": "registration",
    "administrative_payment": "approval",
}


class Check(_Strict):
    """A reason to refuse the application (不予受理, 行政许可法 §32), to decide against it
    once accepted (``deny``: a substantive ground, 不予许可 §38), or to warn the clerk."""

    when: Cond
    refuse: Label | None = None
    deny: Label | None = None
    warn: Label | None = None


class RouteStep(_Strict):
    """A back-office step; its units work in parallel."""

    step: list[str] = Field(min_length=1)
    when: Cond = True
    name: Label | None = None
    days: Int | None = Field(default=None, ge=0)


class Extension(_Strict):
    """延期: how many working days the limit may be extended, once, and who approves
    (行政许可法 §42: ten, by the head of the office; other laws give other figures)."""

    days: Int = Field(ge=1, le=365)
    approver: Label | None = None


class TimeLimit(_Strict):
    """法定 and 承诺 time limits, their unit, and the extension the law allows."""

    unit: Literal["working_days", "calendar_days"] = "working_days"
    statutory_days: Int = Field(ge=0, le=3650)
    committed_days: Int = Field(ge=0, le=3650)
    extension: Extension | None = None


class SpecialProcedure(_Strict):
    """A procedure whose time is not counted in the limit (行政许可法 §45: 听证, 检测,
    专家评审 ...; or one the matter's own law gives: 公示, 现场核查), at most
    ``max_days`` in ``unit``; past that the clock runs again."""

    id: Ident
    name: Label
    max_days: Int | None = Field(default=None, ge=1, le=3650)
    unit: Literal["working_days", "calendar_days"] = "working_days"


class HandedMaterial(_Strict):
    """A material handed in: its id, and optionally its form and copies."""

    id: str
    # "commitment": a signed 告知承诺书 instead of the material (formkit's addition)
    form: Literal["original", "copy", "original_and_copy", "commitment"] | None = None
    copies: Int | None = Field(default=None, ge=0)


class Expect(_Strict):
    """What an example expects; what it leaves out is not compared."""

    outcome: Literal["refuse", "incomplete", "accept_with_tolerance", "accept"] | None = None
    missing: list[str] | None = None
    tolerated: list[str] | None = None
    fetched: list[str] | None = None
    field_errors: list[str] | None = None
    refusals: Int | None = Field(default=None, ge=0)
    denials: Int | None = Field(default=None, ge=0)
    warnings: Int | None = Field(default=None, ge=0)
    route: list[list[str]] | None = None
    committed_deadline: dt.date | None = None
    statutory_deadline: dt.date | None = None


class Example(_Strict):
    """One of a matter's ``tests:`` examples."""

    name: str = Field(min_length=1)
    today: dt.date | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    materials: list[HandedMaterial] = Field(default_factory=list)
    expect: Expect


class Matter(_Strict):
    """One matter (政务服务事项) as its YAML file declares it."""

    code: str = Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: Label
    department: str
    kind: MatterKind
    basis: list[str] = Field(default_factory=list)
    time_limit: TimeLimit
    fee: Amount = Decimal(0)
    fees: list[FeeItem] | None = None
    guide: Guide | None = None
    decision_wording: DecisionWording | None = None
    document_basis: dict[DocumentKind, list[Annotated[str, Field(min_length=1)]]] = Field(
        default_factory=dict)
    channels: list[Channel] = Field(default_factory=lambda: [Channel("window")])
    max_visits: Int = Field(default=1, ge=0, le=10)
    result: Label | None = None
    synonyms: list[Synonym] = Field(default_factory=list, max_length=MAX_SYNONYMS)
    uses: list[str] = Field(default_factory=list)
    let: dict[Ident, Expr] = Field(default_factory=dict)
    form: list[FormField] = Field(default_factory=list)
    materials: list[Material] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    route: list[RouteStep] = Field(default_factory=list)
    special_procedures: list[SpecialProcedure] = Field(default_factory=list)
    tests: list[Example] = Field(default_factory=list)

    _file: str = PrivateAttr(default="")

    @field_validator("synonyms")
    @classmethod
    def _synonyms_once(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for word in value:
            if word.strip() in seen:
                raise PydanticCustomError("synonym_twice", "'{word}' is listed twice",
                                          {"word": word.strip()})
            seen.add(word.strip())
        return value

    @property
    def file(self) -> str:
        """The file this matter was read from."""
        return self._file

    @property
    def wording(self) -> DecisionWording:
        """``decision_wording``, else the default of the matter's kind."""
        if self.decision_wording is not None:
            return self.decision_wording
        return _WORDING_BY_KIND.get(self.kind.value, "handling")


# ---- bundles (高效办成一件事, matter-format.md "A bundle"; docs/bundles.md)

MatterCode = Annotated[str, Field(min_length=1, max_length=36,
                                  pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
FieldPath = Annotated[str, Field(pattern=r"^[^\W\d]\w*(\.[^\W\d]\w*)*$", max_length=200)]


class BundleMember(_Strict):
    """A member matter given as a mapping: its code, and when it applies (formkit's: the
    spec lists codes; ``when`` is a condition over the bundle's shared answers)."""

    code: MatterCode
    when: Cond = True


def _member(value: Any) -> Any:
    return {"code": value} if isinstance(value, str) else value


Member = Annotated[BundleMember, BeforeValidator(_member)]


class SharedQuestion(_Strict):
    """A question asked once for the whole bundle, copied into each matter's field.

    ``to`` maps a member's code to the dotted path of its field (a field inside a group
    is ``operator.name``). formkit's additions: ``type`` and ``options`` for a question
    that maps to no field (asked for a member's ``when`` only); ``value``, a fixed
    answer that is not asked (e.g. "the business licence is applied for together").
    """

    id: Ident
    label: Label | None = None
    to: dict[MatterCode, FieldPath] = Field(default_factory=dict)
    type: FieldType | None = None
    options: list[Option] | None = None
    required: bool = False
    help: Label | None = None
    value: Any = None


class OnceMaterial(_Strict):
    """A material handed in once for several matters: ``to`` maps each member's code to
    its material id; ``name`` defaults to the first target's."""

    id: Ident
    name: Label | None = None
    to: dict[MatterCode, Ident] = Field(min_length=1)


class BundleHanded(HandedMaterial):
    """A material handed in to a bundle: a ``materials_once`` id, or a member's own
    material with ``matter`` naming the member."""

    matter: MatterCode | None = None


class BundleExpect(Expect):
    """What a bundle example expects. Materials are named by their ``materials_once``
    id or as ``CODE/material``; field errors as ``shared_id`` or ``CODE.path``."""

    matters: list[str] | None = None  # the members that apply, in the bundle's order


class BundleExample(_Strict):
    """One of a bundle's ``tests:``: ``fields`` hold the shared answers and each
    matter's own answers under its code."""

    name: str = Field(min_length=1)
    today: dt.date | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    materials: list[BundleHanded] = Field(default_factory=list)
    expect: BundleExpect


class Bundle(_Strict):
    """A 高效办成一件事 bundle: several matters applied for at once."""

    code: MatterCode
    name: Label
    matters: list[Member] = Field(min_length=2, max_length=20)
    shared: list[SharedQuestion] = Field(default_factory=list)
    materials_once: list[OnceMaterial] = Field(default_factory=list)
    synonyms: list[Synonym] = Field(default_factory=list, max_length=MAX_SYNONYMS)
    basis: list[str] = Field(default_factory=list)
    tests: list[BundleExample] = Field(default_factory=list)

    _file: str = PrivateAttr(default="")

    @property
    def file(self) -> str:
        """The file this bundle was read from."""
        return self._file

    @property
    def codes(self) -> list[str]:
        """The member matters' codes, in order."""
        return [m.code for m in self.matters]


def iter_fields(fields: Sequence[FormField], loc: tuple[int | str, ...] = ("form",),
                prefix: str = "") -> Iterator[tuple[FormField, tuple[int | str, ...], str]]:
    """Every field with its YAML location and dotted path, depth first."""
    for i, f in enumerate(fields):
        here = (*loc, i)
        path = f"{prefix}{f.id}"
        yield f, here, path
        if f.fields:
            yield from iter_fields(f.fields, (*here, "fields"), path + ".")
