"""Official documents: DOCX (python-docx) and PDF (WeasyPrint) after GB/T 9704-2012.

PDF renders cost about a second each, so the PDFs are made once per module.
"""

import datetime
import io
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader

from zhifa.core.documents import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    OfficialDocument,
    chinese_date,
    document_filename,
    document_response,
    render_docx,
    render_html,
    render_pdf,
)

BODY = (
    "你单位于2026年9月15日未经节能审查擅自开工建设年产30万立方米加气混凝土砌块项目。",
    "一、违法事实",
    "上述事实有现场检查笔录、询问笔录、企业用能台账等证据证实。",
    "二、处罚内容",
    "责令停止生产，处以罚款人民币伍万元整。",
)


def make(**overrides):
    fields = dict(
        issuer="宁晋县发展改革局",
        title="行政处罚决定书",
        number="宁发改罚〔2026〕1号",
        recipient="宁晋县恒远新型建材有限公司",
        body=BODY,
        date=datetime.date(2026, 11, 26),
        attachments=("现场检查笔录", "整改要求"),
        cc="宁晋县司法局",
    )
    fields.update(overrides)
    return OfficialDocument(**fields)


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def sample_pdf():
    return render_pdf(make())


@pytest.fixture(scope="module")
def long_pdf():
    paragraphs = tuple(f"第{i}段：" + "行政执法公示与全过程记录。" * 12 for i in range(1, 41))
    return render_pdf(make(body=paragraphs, attachments=(), cc=""))


# ------------------------------------------------------------------------------ value object


def test_date_is_written_without_leading_zeros():
    assert chinese_date(datetime.date(2026, 1, 6)) == "2026年1月6日"
    assert make().date_text == "2026年11月26日"


def test_document_normalises_its_fields():
    doc = make(body=["第一段\n第二段", "  ", "第三段"], attachments=["甲"], signature="", cc="某局")
    assert isinstance(doc.body, tuple)
    assert doc.signature_text == "宁晋县发展改革局"
    assert doc.recipient_text == "宁晋县恒远新型建材有限公司："
    assert doc.cc_text == "某局。"
    assert doc.attachment_lines() == ("甲",)
    assert make().attachment_lines() == ("1.现场检查笔录", "2.整改要求")
    with pytest.raises(ValueError, match="issuer"):
        make(issuer=" ")
    with pytest.raises(TypeError):
        make(date="2026-11-26")
    assert document_filename(make(), "pdf") == "行政处罚决定书（宁发改罚〔2026〕1号）.pdf"
    assert document_filename(make(title='a/b"c'), "docx").startswith("a_b_c")


# -------------------------------------------------------------------------------------- DOCX


def test_docx_holds_every_part_of_the_document():
    doc = make()
    document = Document(io.BytesIO(render_docx(doc)))
    texts = [p.text for p in document.paragraphs]
    for expected in (
        "宁晋县发展改革局",
        "宁发改罚〔2026〕1号",
        "行政处罚决定书",
        "宁晋县恒远新型建材有限公司：",
        *BODY,
        "附件：1.现场检查笔录",
        "2.整改要求",
        "（印章）",
        "2026年11月26日",
        "抄送：宁晋县司法局。",
    ):
        assert expected in texts
    # Number comes under the issuer, the title after it; body paragraphs keep their order.
    assert texts.index("宁发改罚〔2026〕1号") < texts.index("行政处罚决定书")
    assert [t for t in texts if t in BODY] == list(BODY)
    body = document.paragraphs[texts.index(BODY[0])]
    assert body.paragraph_format.first_line_indent == Mm(0) + 2 * 16 * 12700
    assert body._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert document.paragraphs[texts.index("2026年11月26日")].alignment == 2  # RIGHT


def test_docx_page_is_a4_with_gb9704_margins_grid_and_fonts():
    document = Document(io.BytesIO(render_docx(make())))
    section = document.sections[0]
    mm = Mm(1)

    def close(length, millimetres):
        return abs(length - Mm(millimetres)) <= mm / 10

    assert close(section.page_width, 210) and close(section.page_height, 297)
    assert close(section.top_margin, 37) and close(section.bottom_margin, 35)
    assert close(section.left_margin, 28) and close(section.right_margin, 26)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert abs(int(grid.get(qn("w:linePitch"))) / 20 * 22 - 637.8) < 3  # 22 lines in 225 mm

    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋"
    title = next(p for p in document.paragraphs if p.text == "行政处罚决定书")
    run = title.runs[0]
    assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert run.font.size.pt == 22
    body = next(p for p in document.paragraphs if p.text == BODY[0])
    assert body.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert body.runs[0].font.size.pt == 16


def test_docx_footers_number_pages_at_the_outer_corner():
    document = Document(io.BytesIO(render_docx(make())))
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, alignment in ((section.footer, 2), (section.even_page_footer, 0)):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        xml = paragraph._p.xml
        assert "PAGE" in "".join(paragraph._p.itertext()) or " PAGE " in xml
        assert re.search(r'w:fldCharType="begin"', xml)
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_docx_is_reproducible_and_dated_by_the_document():
    doc = make()
    first, second = render_docx(doc), render_docx(doc)
    assert first == second
    props = Document(io.BytesIO(first)).core_properties
    assert props.created == props.modified == datetime.datetime(2026, 11, 26, tzinfo=datetime.UTC)
    assert props.title == "行政处罚决定书" and props.author == "宁晋县发展改革局"
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 26, 0, 0, 0)}


def test_docx_keeps_markup_and_control_characters_as_text():
    hostile = "<w:p>注入</w:p> & <script>alert(1)</script>\x00\x0b结束"
    document = Document(io.BytesIO(render_docx(make(body=(hostile,), recipient="<b>某公司</b>"))))
    texts = [p.text for p in document.paragraphs]
    assert "<w:p>注入</w:p> & <script>alert(1)</script>结束" in texts
    assert "<b>某公司</b>：" in texts


# --------------------------------------------------------------------------------------- PDF


def test_pdf_is_a4_with_extractable_chinese_text(sample_pdf):
    assert sample_pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(sample_pdf))
    assert len(reader.pages) >= 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.28) < 1 and abs(float(box.height) - 841.89) < 1
    text = "".join(pdf_text(sample_pdf)).replace("\n", "")
    for expected in (
        "宁晋县发展改革局",
        "宁发改罚〔2026〕1号",
        "行政处罚决定书",
        "宁晋县恒远新型建材有限公司：",
        "一、违法事实",
        "附件：1.现场检查笔录",
        "2026年11月26日",
        "抄送：宁晋县司法局。",
        "— 1 —",
    ):
        assert expected in text
    for paragraph in BODY:
        assert paragraph in text
    assert reader.metadata.title == "行政处罚决定书"
    assert reader.metadata.creation_date.date() == datetime.date(2026, 11, 26)


def test_pdf_embeds_a_cjk_font(sample_pdf):
    reader = PdfReader(io.BytesIO(sample_pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert any("CJK" in name or "Song" in name or "Fang" in name for name in names), names


def test_long_body_runs_over_pages_with_page_numbers(long_pdf):
    pages = pdf_text(long_pdf)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"— {number} —" in text
    # 22 lines of at most 28 characters: no page holds more body lines than the grid.
    body_lines = [line for line in pages[1].splitlines() if "—" not in line]
    assert 18 <= len(body_lines) <= 22
    assert all(len(line) <= 28 for line in body_lines)


def test_pdf_escapes_user_text():
    hostile = '</p><script>alert("x")</script><img src=x onerror=1> & 〔注〕'
    doc = make(body=(hostile,), recipient="</style><h1>某公司</h1>", attachments=(), cc="")
    source = render_html(doc)
    assert "<script>" not in source and "<img" not in source and "</style><h1>" not in source
    assert "&lt;/p&gt;&lt;script&gt;" in source
    # Extraction may drop or add spaces, so compare without them.
    text = re.sub(r"\s", "", "".join(pdf_text(render_pdf(doc))))
    assert '</p><script>alert("x")</script><imgsrc=xonerror=1>&〔注〕' in text
    assert "</style><h1>某公司</h1>：" in text


def test_pdf_is_reproducible(sample_pdf):
    assert render_pdf(make()) == sample_pdf


# ------------------------------------------------------------------------------------ Django


def test_document_response_offers_a_named_download(monkeypatch):
    monkeypatch.setattr("zhifa.core.documents.render_pdf", lambda doc: b"%PDF-stub")
    response = document_response(make(), "pdf")
    assert response["Content-Type"] == PDF_CONTENT_TYPE
    assert response.content == b"%PDF-stub"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    docx = document_response(make(), "docx", as_attachment=False)
    assert docx["Content-Type"] == DOCX_CONTENT_TYPE
    assert docx["Content-Disposition"].startswith("inline;")
    with pytest.raises(ValueError, match="kind"):
        document_response(make(), "odt")
