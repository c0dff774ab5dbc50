"""The scoreboard's notes in the reader's language.

:func:`motcua.reports.indicators.scoreboard_compute` stores, for an indicator it cannot score, a note in
English built from its formula (``no data: …``, ``no data in the period: no …``). The dashboard shows the
same reason, per formula, in Vietnamese (msgids; English through the catalogue); a formula this module does
not know shows the stored note as it is.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = ["indicator_note"]

_POPULATION = gettext_lazy(
    "motcua chưa lưu việc xác thực VNeID và kết nối Cơ sở dữ liệu quốc gia về dân cư "
    "(cần kết nối CSDL dân cư)"
)
_PETITIONS = gettext_lazy("phản ánh, kiến nghị sẽ có khi có tính năng tiếp nhận phản ánh, kiến nghị")

NO_DATA = {
    "announced_on_time": gettext_lazy(
        "motcua chưa lưu quyết định công bố TTHC và ngày có hiệu lực của văn bản "
        "căn cứ (cần danh mục TTHC lưu các thông tin này)"
    ),
    "published_on_time": gettext_lazy(
        "motcua chưa lưu ngày công khai TTHC trên Cơ sở dữ liệu quốc gia về TTHC"
    ),
    "published_complete": gettext_lazy("motcua chưa lưu việc công khai đầy đủ các bộ phận của từng TTHC"),
    "certified_e_copies": gettext_lazy("văn bản gốc chưa nêu công thức; cần sổ chứng thực"),
    "e_store": gettext_lazy(
        "motcua chưa lưu thành phần hồ sơ lấy từ, hoặc kết quả đưa vào, Kho dữ liệu điện tử "
        "của tổ chức, cá nhân trên Cổng DVCQG (cần kết nối Cổng)"
    ),
    "population_db_procedures": _POPULATION,
    "population_db_dossiers": _POPULATION,
    "petitions_by_type": _PETITIONS,
    "petitions_on_time": _PETITIONS,
    "petitions_satisfaction": gettext_lazy(
        "phản ánh, kiến nghị và đánh giá sẽ có khi có tính năng tiếp nhận phản ánh, kiến nghị"
    ),
    "service_satisfaction": gettext_lazy(
        "cần đánh giá mức độ hài lòng và phản ánh, kiến nghị; chỉ dùng tỷ lệ "
        "quá hạn thì điểm sẽ cao hơn thực tế"
    ),
}

DENOMINATORS = {
    "portal_sync": gettext_lazy("hồ sơ tiếp nhận trong kỳ"),
    "on_time": gettext_lazy("hồ sơ kết thúc trong kỳ hoặc đang giải quyết cuối kỳ"),
    "mean_resolution_days": gettext_lazy("hồ sơ giải quyết xong trong kỳ"),
    "online_dossiers": gettext_lazy("hồ sơ tiếp nhận trong kỳ"),
    "full_online_dossiers": gettext_lazy("hồ sơ của TTHC trực tuyến toàn trình tiếp nhận trong kỳ"),
    "fee_procedures_paid_online": gettext_lazy("TTHC có hồ sơ phải nộp phí, lệ phí tiếp nhận trong kỳ"),
    "online_payment": gettext_lazy("hồ sơ phải nộp phí, lệ phí tiếp nhận trong kỳ"),
    "e_results": gettext_lazy("hồ sơ giải quyết xong trong kỳ thuộc TTHC yêu cầu kết quả điện tử"),
    "digitized": gettext_lazy("hồ sơ giải quyết xong trong kỳ"),
    "reused": gettext_lazy("hồ sơ tiếp nhận trong kỳ"),
    "online_procedures": gettext_lazy("TTHC cấp xã đang áp dụng"),
    "online_services_used": gettext_lazy("TTHC cấp xã đang áp dụng có cung cấp dịch vụ trực tuyến"),
    "fee_procedures_online": gettext_lazy("TTHC cấp xã đang áp dụng có phí, lệ phí"),
}


def indicator_note(indicator: dict[str, Any]) -> str:
    """Why an indicator of a scoreboard (:func:`~motcua.reports.indicators.scoreboard_get`) has no score."""
    status, formula = indicator["status"], indicator.get("formula", "")
    if status == "computed":
        return ""
    if status == "not_applicable":
        return _("Không áp dụng cho đơn vị này.")
    if indicator["denominator"] is None:
        reason = NO_DATA.get(formula)
        return _("Chưa có dữ liệu: %(reason)s.") % {"reason": reason} if reason else str(indicator["note"])
    what = DENOMINATORS.get(formula)
    return _("Trong kỳ không có %(what)s.") % {"what": what} if what else str(indicator["note"])
