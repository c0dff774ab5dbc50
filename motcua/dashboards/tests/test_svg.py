"""The SVG charts: well-formed, accessible, escaped, bars proportional to the values, empty series handled."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from motcua.dashboards import svg

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 — our own output, parsed to prove it is well-formed XML


def bar_widths(markup: str, label_width: int) -> list[float]:
    return [float(w) for w in re.findall(rf'<rect x="{label_width}" y="\d+" width="([0-9.]+)"', markup)]


def test_bar_chart_is_accessible_and_titled() -> None:
    markup = svg.bar_chart(
        [svg.Bar("Trực tuyến", 424), svg.Bar("Trực tiếp", 516)],
        title="Hồ sơ tiếp nhận theo kênh",
        chart_id="kênh 1",
    )
    root = parse(markup)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "k-nh-1-title k-nh-1-desc"
    assert root.find("s:title", NS).text == "Hồ sơ tiếp nhận theo kênh"  # type: ignore[union-attr]
    assert root.find("s:desc", NS).text == "Trực tuyến: 424; Trực tiếp: 516"  # type: ignore[union-attr]
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "424" in texts
    assert "516" in texts
    assert "Trực tuyến" in texts


def test_bar_lengths_are_proportional_to_the_values() -> None:
    markup = svg.bar_chart(
        [svg.Bar("a", 10), svg.Bar("b", 20), svg.Bar("c", 40), svg.Bar("d", 0)],
        title="t",
        chart_id="c",
        width=500,
        label_width=100,
    )
    widths = bar_widths(markup, 100)
    plot = 500 - 100 - 64
    assert widths == pytest.approx([plot / 4, plot / 2, plot, 0.0], abs=0.1)


def test_labels_and_titles_are_escaped() -> None:
    evil = '<script>alert("x")</script> & co'
    markup = svg.bar_chart([svg.Bar(evil, 3)], title=evil, chart_id='"><x', formatter=lambda v: f"<{v}>")
    assert "<script>" not in markup
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in markup
    assert "&lt;3&gt;" in markup
    parse(markup)  # still well-formed
    stacked = svg.stacked_columns([evil], [svg.Series(evil, [1], svg.GREEN)], title=evil, chart_id="s")
    assert "<script>" not in stacked
    parse(stacked)
    meter = svg.meter([svg.Bar(evil, 1, svg.GREEN)], maximum=2, title=evil, chart_id="m", caption=evil)
    assert "<script>" not in meter
    parse(meter)


def test_a_colour_that_is_not_a_hex_colour_is_refused() -> None:
    with pytest.raises(ValueError, match="colour"):
        svg.bar_chart([svg.Bar("a", 1, 'red" onload="x')], title="t", chart_id="c")


@pytest.mark.parametrize("bars", [[], [svg.Bar("a", 0), svg.Bar("b", 0)]])
def test_an_empty_series_says_so(bars: list[svg.Bar]) -> None:
    markup = svg.bar_chart(bars, title="t", chart_id="c", empty_text="Không có số liệu trong kỳ")
    root = parse(markup)
    assert "Không có số liệu trong kỳ" in markup
    assert root.find("s:desc", NS).text == "Không có số liệu trong kỳ"  # type: ignore[union-attr]
    assert not bar_widths(markup, 170)


def test_long_labels_are_clipped_but_kept_whole_in_the_tooltip() -> None:
    label = "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)"
    markup = svg.bar_chart([svg.Bar(label, 5)], title="t", chart_id="c", label_width=120)
    root = parse(markup)
    shown = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(text.endswith("…") and label.startswith(text[:-1]) for text in shown)
    assert f"{label}: 5" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]


def test_numbers_are_written_the_vietnamese_way_by_default() -> None:
    assert svg.number_vi(1008) == "1.008"
    assert svg.number_vi(83.13, 2) == "83,13"
    assert "1.008" in svg.bar_chart([svg.Bar("a", 1008)], title="t", chart_id="c")


def test_stacked_columns_stack_each_series_proportionally() -> None:
    markup = svg.stacked_columns(
        ["T7/2025", "T8/2025"],
        [
            svg.Series("Trước hạn", [30, 10], svg.GREEN),
            svg.Series("Đúng hạn", [10, 0], svg.BLUE),
            svg.Series("Quá hạn", [0, 10], svg.RED),
        ],
        title="theo tháng",
        chart_id="m",
        plot_height=200,
        total_label="tổng",
    )
    root = parse(markup)
    segments = [
        float(r.get("height", 0))
        for r in root.iter("{http://www.w3.org/2000/svg}rect")
        if r.get("height") != "12"
    ]  # the legend's squares are 12 high
    assert segments == pytest.approx([150, 50, 50, 50], abs=0.1)  # 40 is the tallest column: 200 px
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts.count("40") == 1
    assert texts.count("20") == 1
    assert "T7/2025" in texts
    assert "Trước hạn" in texts
    assert "T7/2025: tổng 40: Trước hạn 30, Đúng hạn 10, Quá hạn 0" in (root.find("s:desc", NS).text or "")  # type: ignore[union-attr]


def test_stacked_columns_with_nothing_say_so_and_mismatched_series_are_refused() -> None:
    assert "Không có" in svg.stacked_columns(
        ["T7"], [svg.Series("a", [0], svg.GREEN)], title="t", chart_id="c", empty_text="Không có hồ sơ"
    )
    assert "Không có" in svg.stacked_columns([], [], title="t", chart_id="c", empty_text="Không có hồ sơ")
    with pytest.raises(ValueError, match="2 values for 1 categories"):
        svg.stacked_columns(["T7"], [svg.Series("a", [1, 2], svg.GREEN)], title="t", chart_id="c")


def test_meter_fills_its_parts_out_of_the_maximum() -> None:
    markup = svg.meter(
        [svg.Bar("Điểm đạt", 55.43, svg.GREEN), svg.Bar("Chưa đạt", 4.57, svg.AMBER)],
        maximum=100,
        title="Tổng điểm",
        chart_id="score",
        width=400,
        caption="55,43 / 100",
        formatter=lambda v: svg.number_vi(v, 2),
    )
    root = parse(markup)
    rects = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("height") == "22"]
    track = float(rects[0].get("width", 0))
    assert [float(r.get("width", 0)) for r in rects[1:]] == pytest.approx(
        [track * 0.5543, track * 0.0457], abs=0.1
    )
    assert "55,43 / 100" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Điểm đạt: 55,43" in markup
    bare = svg.meter([svg.Bar("a", 1, svg.GREEN)], maximum=0, title="t", chart_id="c", legend=False)
    assert parse(bare).get("height") == "24"
