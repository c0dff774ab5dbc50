"""The satisfaction rating a citizen gives once the result is delivered: three levels and optional questions.

The questions follow the evaluation indices of Circular 01/2018/TT-VPCP (art.13–15, domain-research §9) that
the citizen witnessed for one dossier, plus the points the research and the inspection of Đông Khê name as the
measure of service quality (guidance, no documents or costs beyond those published). Each answer has the
Circular's 2 / 1 / 0 points, so the answers can be summed the way art.14 sums indices per dossier.

Data, not code: a question added here appears on the form, is validated by
:func:`motcua.feedback.services.rating_submit` and counted by the statistics page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["LEVELS", "QUESTIONS", "Choice", "Question", "question"]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str | Promise
    points: int
    """2 / 1 / 0 as Circular 01/2018 scores its indices (2 = best)."""


@dataclass(frozen=True)
class Question:
    key: str
    text: str | Promise
    choices: tuple[Choice, ...]
    source: str
    """The legal or research source, as written in docs/citizens.md (with its confidence tag)."""

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


LEVELS: tuple[tuple[str, str | Promise], ...] = (
    ("very_satisfied", _("Rất hài lòng")),
    ("satisfied", _("Hài lòng")),
    ("dissatisfied", _("Không hài lòng")),
)
"""The three levels of the overall rating, best first (the per-dossier rating of DVCQG and of TanDan)."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        key="guidance",
        text=_("Việc hướng dẫn kê khai, chuẩn bị hồ sơ"),
        choices=(
            Choice("clear", _("Đầy đủ, dễ hiểu"), 2),
            Choice("partial", _("Chưa đầy đủ"), 1),
            Choice("none", _("Không được hướng dẫn"), 0),
        ),
        source="Decree 61/2018 art.5, 6: the right to be guided at the one-stop desk [V]",
    ),
    Question(
        key="receipt",
        text=_("Việc tiếp nhận hồ sơ (giấy tờ phải nộp)"),
        choices=(
            Choice("as_published", _("Đúng thành phần hồ sơ đã công khai"), 2),
            Choice("extra", _("Bị yêu cầu nộp thêm giấy tờ ngoài quy định"), 0),
        ),
        source="Decree 61/2018 art.5(1đ,e): never ask for documents outside the published list [V]",
    ),
    Question(
        key="contacts",
        text=_("Số lần phải đi lại, liên hệ để hoàn thành hồ sơ (không tính lần nộp và lần nhận kết quả)"),
        choices=(
            Choice("none", _("Không phải đi lại thêm"), 2),
            Choice("once", _("1 lần"), 1),
            Choice("more", _("Nhiều hơn 1 lần"), 0),
        ),
        source="Circular 01/2018 art.13, index 3: number of contacts 0 / 1 / >1 [V]",
    ),
    Question(
        key="bodies",
        text=_("Số cơ quan phải liên hệ"),
        choices=(
            Choice("one_stop", _("Chỉ Bộ phận Một cửa"), 2),
            Choice("one_more", _("Thêm 1 cơ quan khác"), 1),
            Choice("more", _("Nhiều cơ quan khác"), 0),
        ),
        source="Circular 01/2018 art.13, index 4: bodies contacted [V]",
    ),
    Question(
        key="time",
        text=_("Thời gian nhận kết quả so với ngày hẹn"),
        choices=(
            Choice("early", _("Sớm hơn ngày hẹn"), 2),
            Choice("on_time", _("Đúng ngày hẹn"), 1),
            Choice("late", _("Muộn hơn ngày hẹn"), 0),
        ),
        source="Circular 01/2018 art.13, index 1: total time vs allowed time [V]",
    ),
    Question(
        key="fees",
        text=_("Phí, lệ phí và chi phí phải trả"),
        choices=(
            Choice("as_published", _("Đúng mức đã công khai"), 2),
            Choice("extra", _("Phải trả thêm chi phí ngoài quy định"), 0),
        ),
        source="Decree 61/2018 art.22 (fees) [V]; the Đông Khê inspection: no costs beyond the legal fees",
    ),
    Question(
        key="attitude",
        text=_("Thái độ của công chức tiếp nhận, giải quyết hồ sơ"),
        choices=(
            Choice("courteous", _("Lịch sự, tận tình"), 2),
            Choice("normal", _("Bình thường"), 1),
            Choice("bad", _("Gây phiền hà, sách nhiễu"), 0),
        ),
        source="Circular 01/2018 art.13, index 7: attitude of the official [V]",
    ),
    Question(
        key="publication",
        text=_("Thông tin về thủ tục (niêm yết tại trụ sở, trên mạng)"),
        choices=(
            Choice("both", _("Có ở cả trụ sở và trên mạng"), 2),
            Choice("one", _("Chỉ có ở một nơi"), 1),
            Choice("none", _("Không tìm thấy"), 0),
        ),
        source="Circular 01/2018 art.13, index 6: publication of the procedure, posted and electronic [V]",
    ),
)


def question(key: str) -> Question | None:
    return next((q for q in QUESTIONS if q.key == key), None)
