"""Circular 01/2018/TT-VPCP: evaluating the officials and the unit that resolve administrative procedures.

The circular (art.13–15, domain-research §9, [V]) defines nine indices, each scored 2 / 1 / 0 points per
dossier. Indices 1, 2, 3, 4 and 7 score **individual officials** on the dossiers they handled; indices 5, 6, 8
and 9 score the **unit** (the unit is also scored on 1–4 and 7, over all of its dossiers):

- an index's score is the sum of its points over the dossiers evaluated, divided by their number, rounded
  half-up to one decimal (:func:`index_score`);
- the total is the sum of the index scores: out of 10 for an official, out of 18 for the unit;
- the grade is the band the total falls in (:data:`OFFICIAL_BANDS`, :data:`UNIT_BANDS`);
- summaries are quarterly and yearly: the caller picks the dossiers of the period.

This module only scores facts it is given; :mod:`motcua.evaluation.selectors` gathers them from the dossier
events, the stored facts, the citizens' ratings and the petitions. Every threshold is data (module constants
and the :class:`Index` table), and docs/evaluation.md states each interpretation with its confidence tag.

How one dossier is scored (:func:`score_case`), in short:

1. the dossier's timeliness: before the due date 2, on it 1, after it 0;
2. the official's own last step against the statutory due date, 0 when the official made a supplement request
   late (more than 3 working days after receipt) or a second time (Decision 766 counts that as overdue) [U];
3. supplement requests the applicant had to answer (at intake and in processing): none 2, one 1, more 0;
4. bodies to contact to complete the dossier: none (no supplement) 2, the one-stop desk 1 [U];
7. attitude: early 2, on time 1, a petition about the officials' behaviour (not found unfounded) 0;
   late 0 [U].

A citizen's answer to the matching rating question (contacts → 3, bodies → 4, attitude → 7, publication → 6)
caps the index at that answer's points: the lower of what the system recorded and what the citizen said.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "ANSWER_INDEX",
    "INDEX",
    "INDICES",
    "OFFICIAL_BANDS",
    "OFFICIAL_INDICES",
    "ONLINE_DOSSIERS_FULL",
    "ONLINE_DOSSIERS_PARTIAL",
    "ONLINE_PROCEDURES_MIN",
    "PETITIONS_PARTIAL",
    "TIMELINESS_POINTS",
    "UNIT_BANDS",
    "UNIT_INDICES",
    "UNIT_ONLY_INDICES",
    "Band",
    "CaseFacts",
    "Evaluation",
    "Index",
    "Scope",
    "Timeliness",
    "UnitFacts",
    "evaluate_official",
    "evaluate_unit",
    "grade",
    "index_score",
    "quarter_bounds",
    "quarter_of",
    "score_case",
    "score_one_stop",
    "score_online",
    "score_petitions",
    "score_publication",
    "total",
    "unit_only_scores",
    "worst",
]


def gettext_noop(message: str) -> str:
    """Marks a Vietnamese msgid for ``makemessages`` without importing Django (the page translates it)."""
    return message


class Scope(StrEnum):
    OFFICIAL = "official"
    """Scored per dossier for each official who handled it (and for the unit over all its dossiers)."""
    UNIT = "unit"
    """Scored for the unit only."""


class Timeliness(StrEnum):
    """When a dossier (or one official's step) ended, against the statutory due date (rules §2.3)."""

    BEFORE_DUE = "before_due"
    ON_TIME = "on_time"
    OVERDUE = "overdue"


TIMELINESS_POINTS: Final[Mapping[Timeliness, int]] = MappingProxyType(
    {Timeliness.BEFORE_DUE: 2, Timeliness.ON_TIME: 1, Timeliness.OVERDUE: 0}
)
_LATENESS: Final[Mapping[Timeliness, int]] = MappingProxyType(
    {Timeliness.BEFORE_DUE: 0, Timeliness.ON_TIME: 1, Timeliness.OVERDUE: 2}
)


@dataclass(frozen=True)
class Index:
    """One of the nine indices: what 2 / 1 / 0 points mean, where it comes from, what feeds it in motcua."""

    number: int
    name: str
    two: str
    one: str
    zero: str
    scope: Scope
    source: str
    """The legal text and the confidence tag of the research ([V] verbatim, [S] secondary, [U] ours)."""
    data: str
    """What motcua scores it from (Vietnamese, shown on the page)."""
    confidence: str
    """The confidence of motcua's *scoring* of this index: V, S or U."""


_ART = "Circular 01/2018/TT-VPCP art.13–15 [V: domain-research §9]; wording of the levels [S: TanDan"
_ART += " TieuChiDanhGiaHaiLong.json]"

INDICES: Final[tuple[Index, ...]] = (
    Index(
        1, gettext_noop("Tổng thời gian giải quyết thủ tục hành chính so với thời gian quy định"),
        gettext_noop("Ngắn hơn thời gian quy định (giải quyết trước hạn)"),
        gettext_noop("Bằng thời gian quy định (đúng hạn)"),
        gettext_noop("Dài hơn thời gian quy định (quá hạn)"),
        Scope.OFFICIAL, _ART,
        gettext_noop("Kết quả giải quyết của hồ sơ (trước hạn / đúng hạn / quá hạn) theo hạn giải quyết "
                     "luật định."),
        "V",
    ),
    Index(
        2, gettext_noop("Thời gian thực hiện của từng cơ quan, đơn vị, người tham gia giải quyết"),
        gettext_noop("Xử lý xong phần việc của mình trước hạn"),
        gettext_noop("Xử lý xong phần việc của mình đúng ngày hết hạn"),
        gettext_noop("Xử lý sau hạn, hoặc yêu cầu bổ sung quá 3 ngày làm việc hay từ lần thứ hai"),
        Scope.OFFICIAL, _ART,
        gettext_noop("Ngày thao tác cuối cùng của công chức trên hồ sơ so với hạn giải quyết; yêu cầu bổ "
                     "sung muộn hoặc lần thứ hai tính là quá hạn (Quyết định 766). Của đơn vị: bước chậm "
                     "nhất của hồ sơ."),
        "U",
    ),
    Index(
        3, gettext_noop("Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ"),
        gettext_noop("Không phải liên hệ lần nào"),
        gettext_noop("Một lần"),
        gettext_noop("Hơn một lần (trừ lỗi của người nộp hồ sơ)"),
        Scope.OFFICIAL, _ART,
        gettext_noop("Số lần yêu cầu bổ sung, hoàn thiện hồ sơ (khi tiếp nhận và khi giải quyết); câu trả "
                     "lời của người dân về số lần đi lại, nếu có, được lấy khi thấp hơn."),
        "S",
    ),
    Index(
        4, gettext_noop("Số cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ"),
        gettext_noop("Không phải liên hệ cơ quan nào"),
        gettext_noop("Chỉ liên hệ Bộ phận Một cửa (và cơ quan kiểm tra, xác minh theo luật định)"),
        gettext_noop("Hơn một cơ quan, đơn vị, tổ chức"),
        Scope.OFFICIAL, _ART,
        gettext_noop("Không yêu cầu bổ sung: 2 điểm; có yêu cầu bổ sung (qua Bộ phận Một cửa): 1 điểm; câu "
                     "trả lời của người dân về số cơ quan phải liên hệ, nếu có, được lấy khi thấp hơn."),
        "U",
    ),
    Index(
        5, gettext_noop("Tổ chức tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa"),
        gettext_noop("Bộ phận Một cửa cấp xã tiếp nhận, thẩm định, phê duyệt kết quả 100% thủ tục thuộc danh "
                     "mục"),
        gettext_noop("100% thủ tục được tiếp nhận và trả kết quả tại Bộ phận Một cửa"),
        gettext_noop("Dưới 100% thủ tục được tiếp nhận và trả kết quả tại Bộ phận Một cửa"),
        Scope.UNIT, _ART,
        gettext_noop("Hồ sơ kết thúc trong kỳ: có bước tiếp nhận tại Bộ phận Một cửa và bước ban hành kết "
                     "quả (hoặc dừng) của lãnh đạo, văn thư trên hệ thống."),
        "U",
    ),
    Index(
        6, gettext_noop("Công khai các thủ tục hành chính"),
        gettext_noop("Công khai đầy đủ bằng cả niêm yết và điện tử"),
        gettext_noop("Công khai bằng niêm yết hoặc điện tử"),
        gettext_noop("Không công khai chính xác, đầy đủ, kịp thời"),
        Scope.UNIT, _ART,
        gettext_noop("Câu trả lời của người dân về việc công khai thủ tục (trung bình); khi chưa có: 1 điểm "
                     "(thủ tục được công khai điện tử trên cổng của xã, việc niêm yết chưa được ghi nhận)."),
        "U",
    ),
    Index(
        7, gettext_noop("Thái độ của cán bộ, công chức khi hướng dẫn, tiếp nhận, giải quyết hồ sơ"),
        gettext_noop("Trả kết quả trước hạn và không có phản ánh về hành vi, thái độ"),
        gettext_noop("Trả kết quả đúng hạn và không có phản ánh về hành vi, thái độ"),
        gettext_noop("Có phản ánh về hành vi, thái độ nhũng nhiễu, gây phiền hà (trừ phản ánh được kết luận "
                     "không đúng)"),
        Scope.OFFICIAL, _ART,
        gettext_noop("Kết quả giải quyết của hồ sơ, phản ánh về hành vi, thái độ gắn với hồ sơ (trừ phản ánh "
                     "bị từ chối hoặc kết luận không có cơ sở) và câu trả lời của người dân về thái độ."),
        "S",
    ),
    Index(
        8, gettext_noop("Tiếp thu, giải trình đối với phản ánh, kiến nghị của tổ chức, cá nhân"),
        gettext_noop("Không có phản ánh, hoặc 100% được xử lý đúng hạn và không có phản ánh kéo dài"),
        gettext_noop("Từ 90% được xử lý đúng hạn và không có phản ánh kéo dài"),
        gettext_noop("Dưới 90% được xử lý đúng hạn, hoặc có phản ánh kéo dài"),
        Scope.UNIT, _ART,
        gettext_noop("Phản ánh, kiến nghị của đơn vị được xử lý xong trong kỳ (đúng hạn 15 ngày làm việc; từ "
                     "chối, chuyển trong 2 ngày làm việc) và phản ánh còn mở đã quá hạn cuối kỳ."),
        "S",
    ),
    Index(
        9, gettext_noop("Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến"),
        gettext_noop("Từ 20% thủ tục trực tuyến, từ 30% hồ sơ trực tuyến, không hồ sơ trực tuyến nào quá "
                     "hạn"),
        gettext_noop("Có thủ tục trực tuyến, từ 15% đến dưới 30% hồ sơ trực tuyến, không hồ sơ trực tuyến "
                     "nào quá hạn"),
        gettext_noop("Không có thủ tục trực tuyến, dưới 15% hồ sơ trực tuyến, hoặc có hồ sơ trực tuyến quá "
                     "hạn"),
        Scope.UNIT, _ART,
        gettext_noop("Thủ tục cấp xã đang áp dụng có dịch vụ công trực tuyến (một phần, toàn trình); hồ sơ "
                     "tiếp nhận trong kỳ nộp trực tuyến; hồ sơ trực tuyến quá hạn (đã kết thúc hoặc còn "
                     "mở)."),
        "S",
    ),
)
"""The nine indices, in the circular's order."""

INDEX: Final[Mapping[int, Index]] = MappingProxyType({i.number: i for i in INDICES})
OFFICIAL_INDICES: Final[tuple[int, ...]] = tuple(i.number for i in INDICES if i.scope is Scope.OFFICIAL)
"""1, 2, 3, 4, 7: scored per dossier, for officials and for the unit."""
UNIT_ONLY_INDICES: Final[tuple[int, ...]] = tuple(i.number for i in INDICES if i.scope is Scope.UNIT)
"""5, 6, 8, 9: scored for the unit."""
UNIT_INDICES: Final[tuple[int, ...]] = tuple(i.number for i in INDICES)

ANSWER_INDEX: Final[Mapping[str, int]] = MappingProxyType(
    {"contacts": 3, "bodies": 4, "publication": 6, "attitude": 7}
)
"""Rating questions (``motcua.feedback.questions``) whose answer caps an index at the answer's points.

The ``time`` question is not used: the system records the dossier's timeliness exactly (index 1)."""

ONLINE_PROCEDURES_MIN: Final = Decimal("0.20")
"""Index 9, 2 points: at least 20% of the procedures offered online (levels 3, 4 / partial, full)."""
ONLINE_DOSSIERS_FULL: Final = Decimal("0.30")
"""Index 9, 2 points: at least 30% of the dossiers lodged online."""
ONLINE_DOSSIERS_PARTIAL: Final = Decimal("0.15")
"""Index 9, 1 point: 15% to under 30% of the dossiers lodged online."""
PETITIONS_PARTIAL: Final = Decimal("0.90")
"""Index 8, 1 point: at least 90% of the petitions handled on time (and none protracted)."""

_TENTH: Final = Decimal("0.1")


# -- one dossier -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CaseFacts:
    """One dossier, as handled by one official (or by the whole unit). Built by the selectors."""

    timeliness: Timeliness
    """The dossier's: ended before, on or after its statutory due date."""
    step: Timeliness | None = None
    """The official's own last step against the statutory due date (for the unit: the latest step of the
    dossier); ``None`` when the official did nothing before the end (e.g. only handed the result over)."""
    step_violation: bool = False
    """The official (for the unit: anyone) made a supplement request late or a second time."""
    contacts: int = 0
    """Supplement requests the applicant had to answer, at intake and in processing."""
    answers: Mapping[str, int] = field(default_factory=dict)
    """The citizen's answers, as points (2 / 1 / 0) by rating question key; absent questions unanswered."""
    complaints: int = 0
    """Petitions about the officials' behaviour on this dossier, not refused and not found unfounded."""


def _cap(points: int, answers: Mapping[str, int], question: str) -> int:
    answer = answers.get(question)
    return points if answer is None else min(points, max(0, min(2, answer)))


def score_case(facts: CaseFacts) -> dict[int, int]:
    """The points (2 / 1 / 0) of one dossier on indices 1, 2, 3, 4 and 7."""
    timeliness = Timeliness(facts.timeliness)
    index1 = TIMELINESS_POINTS[timeliness]
    if facts.step_violation:
        index2 = 0
    elif facts.step is None:
        index2 = 2
    else:
        index2 = TIMELINESS_POINTS[Timeliness(facts.step)]
    contacts = max(0, facts.contacts)
    index3 = _cap(2 if contacts == 0 else 1 if contacts == 1 else 0, facts.answers, "contacts")
    index4 = _cap(2 if contacts == 0 else 1, facts.answers, "bodies")
    index7 = 0 if facts.complaints > 0 else _cap(TIMELINESS_POINTS[timeliness], facts.answers, "attitude")
    return {1: index1, 2: index2, 3: index3, 4: index4, 7: index7}


def worst(values: Iterable[Timeliness | None]) -> Timeliness | None:
    """The latest of several timeliness values (``None`` ignored; ``None`` when all are)."""
    known = [Timeliness(v) for v in values if v is not None]
    return max(known, key=_LATENESS.__getitem__) if known else None


# -- the unit's own indices ------------------------------------------------------------------------------


def _share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


def score_one_stop(*, received_all: bool, resolved_all: bool) -> int:
    """Index 5 for a commune: its one-stop unit receives, appraises and approves 100% of its procedures (2),
    receives and returns 100% of them (1), or less (0)."""
    if received_all and resolved_all:
        return 2
    return 1 if received_all else 0


def score_publication(*, posted: bool | None, electronic: bool | None) -> int:
    """Index 6 from what the unit publishes: posted and electronic 2, one of them 1, neither 0 (``None``:
    not known, counted as not shown)."""
    return int(bool(posted)) + int(bool(electronic))


def score_petitions(*, closed: int, closed_on_time: int, protracted: int) -> int:
    """Index 8: none or 100% on time 2, at least 90% on time 1, less or any protracted petition 0."""
    if protracted > 0:
        return 0
    if closed == 0 or closed_on_time >= closed:
        return 2
    return 1 if _share(closed_on_time, closed) >= PETITIONS_PARTIAL else 0


def score_online(
    *, procedures: int, online_procedures: int, dossiers: int, online_dossiers: int, online_late: int
) -> int:
    """Index 9: ≥ 20% procedures online, ≥ 30% dossiers online, none late 2; some procedures online and 15% to
    < 30% dossiers online, none late 1; otherwise 0. No dossier at all counts as 0% online."""
    if online_late > 0 or online_procedures == 0:
        return 0
    dossier_share = _share(online_dossiers, dossiers)
    procedure_share = _share(online_procedures, procedures)
    if procedure_share >= ONLINE_PROCEDURES_MIN and dossier_share >= ONLINE_DOSSIERS_FULL:
        return 2
    return 1 if dossier_share >= ONLINE_DOSSIERS_PARTIAL else 0


@dataclass(frozen=True, kw_only=True)
class UnitFacts:
    """What the unit-only indices are scored from, for one unit and one period."""

    received_all: bool = True
    resolved_all: bool = True
    publication_answers: Sequence[int] = ()
    """The citizens' answers to the publication question, as points; their mean is index 6 when given."""
    posted: bool | None = None
    electronic: bool | None = None
    petitions_closed: int = 0
    petitions_on_time: int = 0
    petitions_protracted: int = 0
    procedures: int = 0
    online_procedures: int = 0
    dossiers: int = 0
    online_dossiers: int = 0
    online_late: int = 0


def unit_only_scores(facts: UnitFacts) -> dict[int, Decimal]:
    """Indices 5, 6, 8 and 9 (each the same for every dossier, so the mean is the points themselves)."""
    publication = index_score(facts.publication_answers)
    if publication is None:
        publication = Decimal(score_publication(posted=facts.posted, electronic=facts.electronic))
    return {
        5: Decimal(score_one_stop(received_all=facts.received_all, resolved_all=facts.resolved_all)),
        6: publication,
        8: Decimal(score_petitions(closed=facts.petitions_closed, closed_on_time=facts.petitions_on_time,
                                   protracted=facts.petitions_protracted)),
        9: Decimal(score_online(procedures=facts.procedures, online_procedures=facts.online_procedures,
                                dossiers=facts.dossiers, online_dossiers=facts.online_dossiers,
                                online_late=facts.online_late)),
    }


# -- aggregation and grades ------------------------------------------------------------------------------


def index_score(points: Iterable[int | Decimal]) -> Decimal | None:
    """Σ points ÷ number of dossiers, rounded half-up to 1 decimal; ``None`` when there is no dossier."""
    values = list(points)
    if not values:
        return None
    return (sum((Decimal(p) for p in values), Decimal(0)) / len(values)).quantize(_TENTH, ROUND_HALF_UP)


def total(scores: Mapping[int, Decimal | None]) -> Decimal | None:
    """The sum of the (rounded) index scores; ``None`` when an index has no score."""
    if any(v is None for v in scores.values()):
        return None
    return sum((v for v in scores.values() if v is not None), Decimal(0)).quantize(_TENTH)


@dataclass(frozen=True)
class Band:
    """A grade: totals at or above ``minimum`` (and below the band above) get it."""

    minimum: Decimal
    code: str
    label: str
    tone: str
    """``ok`` / ``info`` / ``warn`` / ``bad``: how a page colours it."""


OFFICIAL_BANDS: Final[tuple[Band, ...]] = (
    Band(Decimal(5), "full", gettext_noop("Hoàn thành 100% nhiệm vụ"), "ok"),
    Band(Decimal("3.5"), "partial", gettext_noop("Hoàn thành từ 70% đến dưới 100% nhiệm vụ"), "warn"),
    Band(Decimal(0), "low", gettext_noop("Hoàn thành dưới 70% nhiệm vụ"), "bad"),
)
"""An official's total (out of 10): ≥ 5; 3.5 to < 5; < 3.5 [V: domain-research §9]."""

UNIT_BANDS: Final[tuple[Band, ...]] = (
    Band(Decimal(15), "excellent", gettext_noop("Xuất sắc"), "ok"),
    Band(Decimal(12), "good", gettext_noop("Tốt"), "ok"),
    Band(Decimal(9), "fair", gettext_noop("Khá"), "info"),
    Band(Decimal(6), "average", gettext_noop("Trung bình"), "warn"),
    Band(Decimal(0), "weak", gettext_noop("Yếu"), "bad"),
)
"""The unit's total (out of 18): ≥ 15; 12 to < 15; 9 to < 12; 6 to < 9; < 6 [V: domain-research §9]."""


def grade(value: Decimal | None, bands: Sequence[Band]) -> Band | None:
    """The band of ``value`` (bands ordered from the highest minimum); ``None`` for no total."""
    if value is None:
        return None
    for band in sorted(bands, key=lambda b: b.minimum, reverse=True):
        if value >= band.minimum:
            return band
    return None


@dataclass(frozen=True)
class Evaluation:
    """The index scores (``None``: no dossier), their total, the grade and the number of dossiers."""

    scores: Mapping[int, Decimal | None]
    total: Decimal | None
    band: Band | None
    dossiers: int


def _case_scores(cases: Sequence[Mapping[int, int]], numbers: Sequence[int]) -> dict[int, Decimal | None]:
    return {n: index_score(case[n] for case in cases) for n in numbers}


def evaluate_official(
    cases: Sequence[Mapping[int, int]], *, bands: Sequence[Band] = OFFICIAL_BANDS
) -> Evaluation:
    """An official's evaluation from the points of each dossier they handled (:func:`score_case`)."""
    scores = _case_scores(cases, OFFICIAL_INDICES)
    value = total(scores)
    return Evaluation(scores, value, grade(value, bands), len(cases))


def evaluate_unit(
    cases: Sequence[Mapping[int, int]], facts: UnitFacts, *, bands: Sequence[Band] = UNIT_BANDS
) -> Evaluation:
    """The unit's evaluation: indices 1–4 and 7 over all its dossiers, 5, 6, 8 and 9 from ``facts``.
    Without a dossier the per-dossier indices have no score, so neither has the total nor the grade."""
    scores: dict[int, Decimal | None] = dict(_case_scores(cases, OFFICIAL_INDICES))
    scores.update(unit_only_scores(facts))
    ordered = {n: scores[n] for n in UNIT_INDICES}
    value = total(ordered)
    return Evaluation(ordered, value, grade(value, bands), len(cases))


# -- periods ---------------------------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[int, int]:
    """``(year, quarter)`` of a date."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a calendar quarter."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1 to 4 (got {quarter})")
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)
