from __future__ import annotations

import codecs
import csv
import io

import altair as alt
import pandas as pd
import pytest

from gapmap import charts, export

EVIL = '<script>alert(1)</script>"onmouseover=x'
META = {"short_name": "Gap ratio", "unit": "ratio", "polarity": "high_is_good"}


def small_chart() -> alt.LayerChart:
    frame = pd.DataFrame(
        {
            "area_code": ["A1", "A2", "A3"],
            "area_name": ["Alpha", "Beta", EVIL],
            "period": ["2022-23"] * 3,
            "value": [1.2, 0.8, None],
            "lower_95": [1.1, 0.7, None],
            "upper_95": [1.3, 0.9, None],
            "comparison": ["better", "worse", "not_compared"],
            "suppressed": [False, False, True],
        }
    )
    return charts.ranked(frame, META, selected="A1", england_value=1.0)


def framed(title: str = "Provision gap ratio by sub-ICB") -> alt.VConcatChart:
    return export.captioned(
        small_chart(),
        title=title,
        subtitle=None,
        source="Source: NHS England Talking Therapies",
        period="Jul 2022 - May 2023",
    )


def png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# --------------------------------------------------------------------------- captions


def test_captioned_puts_title_source_period_in_the_spec() -> None:
    spec = framed().to_dict()
    assert spec["title"]["text"] == "Provision gap ratio by sub-ICB"
    assert spec["title"]["subtitle"].startswith("Dots: value")  # the chart's reading key kept
    inner, footer = spec["vconcat"]
    assert "title" not in inner and inner["width"] == export.EXPORT_WIDTH
    lines = [row["line"] for row in spec["datasets"][footer["data"]["name"]]]
    # the caller's "Source:" prefix is not doubled
    assert lines[0] == "Source: NHS England Talking Therapies | Period: Jul 2022 - May 2023"
    assert lines[1] == export.OGL
    assert spec["description"].startswith("Ranked chart of Gap ratio")


def test_footer_wraps_long_sources_at_separators() -> None:
    lines = export._footer_lines("x" * 50, "2022-23")
    assert lines == ["Source: " + "x" * 50 + " | Period: 2022-23", export.OGL]
    long = export._footer_lines("word " * 40, "P")
    assert all(len(line) <= export.FOOTER_CHARS for line in long)


# ----------------------------------------------------------------------------- images


def test_png_signature_and_scale() -> None:
    one = export.to_png(framed(), scale=1)
    two = export.to_png(framed(), scale=2)
    assert two.startswith(b"\x89PNG\r\n\x1a\n")
    (w1, h1), (w2, h2) = png_size(one), png_size(two)
    assert w1 >= export.EXPORT_WIDTH and h1 > 150
    assert (w2, h2) == (pytest.approx(2 * w1, abs=2), pytest.approx(2 * h1, abs=2))


def test_svg_contains_title_source_period_and_escapes_markup() -> None:
    svg = export.to_svg(framed(title=f"Gap for {EVIL}"))
    assert svg.lstrip().startswith("<svg")
    assert "Gap for" in svg
    assert "Source: NHS England Talking Therapies" in svg
    assert "Period: Jul 2022 - May 2023" in svg
    assert "Open Government Licence v3.0" in svg
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert export.FONT in svg


def test_pdf_and_container_width_replaced() -> None:
    pdf = export.to_pdf(small_chart())  # width "container" must not break a static image
    assert pdf.startswith(b"%PDF")
    assert export._spec(small_chart())["width"] == export.EXPORT_WIDTH


def test_no_network_external_data_refused() -> None:
    remote = alt.Chart(alt.UrlData("https://example.com/data.csv")).mark_point().encode(x="a:Q")
    with pytest.raises(ValueError, match="not allowed"):
        export.to_svg(remote)


# -------------------------------------------------------------------------------- CSV


def test_csv_bom_headings_suppression_and_formula_escaping() -> None:
    frame = pd.DataFrame(
        {
            "area_name": ["=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3", "@x", "Sandwell", "Tab"],
            "value": [1.5, -1.5, 2.0, 3.0, 9.0, 4.0],
            "suppressed": [False, False, False, False, True, False],
            "note": [None, None, None, None, None, "\tcaveat"],
        }
    )
    raw = export.table_csv(frame)
    assert raw.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Area", "Value", "Suppressed", "Note"]
    assert [r[0] for r in rows[1:5]] == ["'=cmd|' /C calc'!A0", "'+SUM(A1)", "'-2+3", "'@x"]
    assert rows[2][1] == "-1.5"  # numbers are data, not formulas: left alone
    assert rows[5][1] == "" and rows[5][3] == export.SUPPRESSED_NOTE and rows[5][2] == "yes"
    assert rows[6][3] == "'\tcaveat"


def test_csv_columns_select_rename_and_keep_unicode() -> None:
    frame = pd.DataFrame({"a": ["Ynys Môn", "=1+1"], "b": [1, 2], "c": [3, 4]})
    text = export.table_csv(frame, columns={"b": "Bee", "a": "Área"}).decode("utf-8-sig")
    assert text.splitlines() == ["Bee,Área", "1,Ynys Môn", "2,'=1+1"]


# ------------------------------------------------------------------------- file names


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            ("Gap ratio", "NHS Black Country ICB - D2P2L", "Jul 2022 - May 2023"),
            "gap-ratio_nhs-black-country-icb-d2p2l_jul-2022-may-2023.png",
        ),
        (("../../etc/passwd",), "etc-passwd.png"),
        (("..", "a/b\\c"), "a-b-c.png"),
        ((EVIL,), "script-alert-1-script-onmouseover-x.png"),
        (("Ynys Môn",), "ynys-mon.png"),
        (("", None, "///"), "export.png"),
    ],
)
def test_filename_is_safe_and_deterministic(parts: tuple, expected: str) -> None:
    name = export.filename(*parts, ext="png")
    assert name == expected
    assert "/" not in name and "\\" not in name and ".." not in name and "<" not in name
    assert export.filename(*parts, ext="png") == name


def test_filename_extension_and_length() -> None:
    assert export.filename("x", ext=".CSV") == "x.csv"
    assert export.filename("x", ext="../svg") == "x.svg"
    assert len(export.filename("word " * 100, ext="pdf")) <= 124
