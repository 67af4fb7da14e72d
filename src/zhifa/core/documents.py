"""Official documents (执法文书 / 公文) rendered to DOCX and PDF after GB/T 9704-2012.

One value object and two pure functions::

    doc = OfficialDocument(
        issuer="宁晋县发展改革局",
        title="行政处罚决定书",
        number="宁发改罚〔2026〕1号",
        recipient="某某有限公司",
        body=("经查，……", "一、违法事实", "……"),
        date=datetime.date(2026, 11, 26),
    )
    render_docx(doc)  # -> bytes (.docx)
    render_pdf(doc)   # -> bytes (.pdf)

`document_response(doc, "pdf")` wraps either one in a Django download response.

Layout (both renderers): A4, margins 37/35/28/26 mm (版心 156 × 225 mm), 22 lines of 28
characters, 发文机关 in red 小标宋 with the 发文字号 centred below it and a red rule, title in
2号小标宋, body in 3号仿宋 with a two-character first-line indent, 附件 list, 署名 centred over
the 成文日期 (right, four characters in), 抄送 between two rules, and "— 1 —" page numbers in
4号宋体 at the outer bottom corner (odd pages right, even pages left).

All text is plain text: it is escaped for the PDF's HTML and stripped of characters that XML
cannot hold, so a body can never inject markup. Fonts are named by family with a fallback chain
(fontconfig picks the first installed one for the PDF; Word/WPS use the first name and their own
substitution for the DOCX).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import html
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BODY_FONTS",
    "DOCX_CONTENT_TYPE",
    "PDF_CONTENT_TYPE",
    "TITLE_FONTS",
    "OfficialDocument",
    "chinese_date",
    "document_filename",
    "document_response",
    "render_docx",
    "render_html",
    "render_pdf",
]

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"

# Font fallback chains, best first. The Noto CJK families come with Debian's fonts-noto-cjk.
TITLE_FONTS = ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC")
BODY_FONTS = ("仿宋", "FangSong", "仿宋_GB2312", "STFangsong", "Noto Serif CJK SC")
PAGE_NUMBER_FONTS = ("宋体", "SimSun", "Noto Serif CJK SC")
_LAST_RESORT = ("Noto Sans CJK SC", "serif")

# GB/T 9704-2012 geometry, in millimetres and points.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
TEXT_WIDTH_PT = (PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM) / 25.4 * 72  # 156 mm
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE_PITCH_PT = 28.9  # 225 mm / 22 lines = 28.99 pt; a hair less so 22 lines surely fit
SIZE_TITLE_PT = 22  # 2号
SIZE_BODY_PT = 16  # 3号
SIZE_PAGE_NUMBER_PT = 14  # 4号
SIZE_ISSUER_MAX_PT = 30
RED = "D40000"
# Character pitch that puts 28 characters on a 156 mm line (slightly tighter than 16 pt).
CHAR_PITCH_PT = TEXT_WIDTH_PT / CHARS_PER_LINE

# Characters XML 1.0 cannot carry (python-docx refuses them; WeasyPrint would drop them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def chinese_date(date: datetime.date) -> str:
    """成文日期 with Arabic numerals and no leading zeros: 2026年1月6日."""
    return f"{date.year}年{date.month}月{date.day}日"


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n")).strip()


def _lines(items: tuple[str, ...]) -> tuple[str, ...]:
    """Every non-empty line of every item: a paragraph that holds newlines becomes several."""
    out = []
    for item in items:
        out.extend(line.strip() for line in _clean(item).split("\n") if line.strip())
    return tuple(out)


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True, kw_only=True)
class OfficialDocument:
    """What an issued document says; layout is the renderers' business.

    Text fields are plain text (never markup). `body` holds paragraphs; numbered headings such
    as "一、违法事实" stay in the text. Lists passed for `body`/`attachments` become tuples.
    """

    issuer: str  # 发文机关, e.g. 宁晋县发展改革局
    title: str  # e.g. 行政处罚决定书
    number: str = ""  # 发文字号, e.g. 宁发改罚〔2026〕12号
    recipient: str = ""  # 主送机关 / 当事人 (a full-width colon is added)
    body: tuple[str, ...] = ()
    signature: str = ""  # 落款; defaults to the issuer
    date: datetime.date  # 成文日期
    seal_note: str = "（印章）"  # marks where the seal goes; "" for none
    attachments: tuple[str, ...] = ()  # 附件 names
    cc: str = ""  # 抄送

    def __post_init__(self):
        if not _clean(self.issuer):
            raise ValueError("OfficialDocument.issuer (发文机关) is required")
        if not _clean(self.title):
            raise ValueError("OfficialDocument.title (标题) is required")
        if not isinstance(self.date, datetime.date):
            raise TypeError("OfficialDocument.date must be a datetime.date")
        if isinstance(self.date, datetime.datetime):
            object.__setattr__(self, "date", self.date.date())
        object.__setattr__(self, "body", _as_tuple(self.body))
        object.__setattr__(self, "attachments", _as_tuple(self.attachments))

    # Normalised pieces shared by both renderers.
    @property
    def signature_text(self) -> str:
        return _clean(self.signature) or _clean(self.issuer)

    @property
    def date_text(self) -> str:
        return chinese_date(self.date)

    @property
    def recipient_text(self) -> str:
        recipient = _clean(self.recipient).replace("\n", " ")
        if recipient and recipient[-1] not in "：:":
            recipient += "："
        return recipient

    @property
    def cc_text(self) -> str:
        cc = _clean(self.cc).replace("\n", " ")
        if cc and cc[-1] not in "。.":
            cc += "。"
        return cc

    def attachment_lines(self) -> tuple[str, ...]:
        """'附件：name' for one attachment; 'N．name' numbering for several (GB/T 9704 7.3.3)."""
        names = _lines(self.attachments)
        if len(names) == 1:
            return names
        return tuple(f"{i}.{name}" for i, name in enumerate(names, start=1))


def _issuer_size_pt(issuer: str) -> float:
    """Largest size (≤ 30 pt) that keeps the 发文机关 on one line of the 版心."""
    width = sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in issuer) or 1
    return min(SIZE_ISSUER_MAX_PT, round(TEXT_WIDTH_PT * 0.98 / width, 1))


def _signature_offset_chars(signature: str, date_text: str) -> float:
    """Right indent (in body characters) that centres the signature over the date."""

    def width(text):
        return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)

    return max(0.0, 4 + width(date_text) / 2 - width(signature) / 2)


def document_filename(doc: OfficialDocument, extension: str) -> str:
    """e.g. 行政处罚决定书（宁发改罚〔2026〕1号）.pdf — safe for Content-Disposition."""
    stem = _clean(doc.title).replace("\n", "")
    number = _clean(doc.number).replace("\n", "")
    if number:
        stem += f"（{number}）"
    stem = re.sub(r'[\\/:*?"<>|]', "_", stem)
    return f"{stem}.{extension.lstrip('.')}"


# ---------------------------------------------------------------------------------------- DOCX


def render_docx(doc: OfficialDocument) -> bytes:
    """The document as a .docx (python-docx), byte-for-byte stable for the same input."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(15)
    # Page number 7 mm below the 版心: footer text (≈5 mm high) ends 23 mm above the page edge.
    section.footer_distance = Mm(MARGIN_BOTTOM_MM - 7 - 5)
    _docx_grid(section, qn, OxmlElement)

    def set_fonts(target, fonts, size_pt, color=None, bold=False):
        """Font on a style or run: ascii/hAnsi/eastAsia/cs all set, Chinese language."""
        name = fonts[0]
        target.font.name = name
        target.font.size = Pt(size_pt)
        if bold:
            target.font.bold = True
        if color:
            target.font.color.rgb = RGBColor.from_string(color)
        rpr = target.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = OxmlElement("w:rFonts")
            rpr.insert(0, rfonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(attr), name)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")

    normal = document.styles["Normal"]
    set_fonts(normal, BODY_FONTS, SIZE_BODY_PT)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PITCH_PT)
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False  # CJK text: lines fill pages, as on the grid

    def paragraph(
        text="",
        *,
        fonts=BODY_FONTS,
        size=SIZE_BODY_PT,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        first_line_chars=0,
        left_chars=0.0,
        right_chars=0.0,
        color=None,
        line_pitch=None,
        keep_with_next=False,
    ):
        p = document.add_paragraph()
        p.alignment = align
        fmt = p.paragraph_format
        if line_pitch:
            fmt.line_spacing = Pt(line_pitch)
        if keep_with_next:
            fmt.keep_with_next = True
        char = Pt(SIZE_BODY_PT)
        ind = None
        if first_line_chars or left_chars or right_chars:
            fmt.first_line_indent = char * first_line_chars if first_line_chars else None
            fmt.left_indent = int(char * left_chars) if left_chars else None
            fmt.right_indent = int(char * right_chars) if right_chars else None
            ind = p._p.get_or_add_pPr().find(qn("w:ind"))
            # Character-based indents as well, so they follow the grid in Word/WPS.
            if first_line_chars:
                ind.set(qn("w:firstLineChars"), str(int(first_line_chars * 100)))
            if left_chars:
                ind.set(qn("w:leftChars"), str(int(left_chars * 100)))
            if right_chars:
                ind.set(qn("w:rightChars"), str(int(right_chars * 100)))
        if text:
            run = p.add_run(text)
            set_fonts(run, fonts, size, color=color)
        return p

    center = WD_ALIGN_PARAGRAPH.CENTER
    right = WD_ALIGN_PARAGRAPH.RIGHT

    # 版头: 发文机关标志, 空二行, 发文字号, red rule.
    issuer = _clean(doc.issuer).replace("\n", "")
    issuer_size = _issuer_size_pt(issuer)
    paragraph(
        issuer,
        fonts=TITLE_FONTS,
        size=issuer_size,
        align=center,
        color=RED,
        line_pitch=max(LINE_PITCH_PT, issuer_size * 1.3),
    )
    number = _clean(doc.number).replace("\n", "")
    if number:
        paragraph()
        paragraph()
        rule_holder = paragraph(number, align=center)
    else:
        rule_holder = paragraph()
    _docx_bottom_rule(rule_holder, qn, OxmlElement, color=RED, size_eighths=12)
    paragraph()
    paragraph()

    # 标题 (may wrap; each line stays on the grid).
    for line in _lines((doc.title,)):
        paragraph(line, fonts=TITLE_FONTS, size=SIZE_TITLE_PT, align=center, line_pitch=36)
    paragraph()

    if doc.recipient_text:
        paragraph(doc.recipient_text)
    for line in _lines(doc.body):
        paragraph(line, first_line_chars=2)

    attachments = doc.attachment_lines()
    if attachments:
        paragraph()
        paragraph(f"附件：{attachments[0]}", left_chars=2, keep_with_next=len(attachments) > 1)
        for line in attachments[1:]:
            paragraph(line, left_chars=5)

    # 落款: blank line, seal note, 署名 centred over 成文日期 (右空四字).
    signature, date_text = doc.signature_text, doc.date_text
    offset = _signature_offset_chars(signature, date_text)
    paragraph(keep_with_next=True)
    seal = _clean(doc.seal_note).replace("\n", " ")
    if seal:
        indent = _signature_offset_chars(seal, date_text)
        paragraph(seal, align=right, right_chars=indent, color="808080", keep_with_next=True)
    for line in signature.split("\n"):
        paragraph(line.strip(), align=right, right_chars=offset, keep_with_next=True)
    paragraph(date_text, align=right, right_chars=4)

    # 版记: 抄送 between two rules, one character in on both sides, 4号.
    if doc.cc_text:
        paragraph()
        cc = paragraph(
            f"抄送：{doc.cc_text}",
            size=SIZE_PAGE_NUMBER_PT,
            left_chars=0.875,
            right_chars=0.875,
            align=WD_ALIGN_PARAGRAPH.LEFT,
        )
        _docx_border(cc, "top", qn, OxmlElement, color="000000", size_eighths=4)
        _docx_border(cc, "bottom", qn, OxmlElement, color="000000", size_eighths=4)

    # Footers: "— N —", 4号宋体, odd pages right and even pages left, one character in.
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in (
        (section.footer, right, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        setattr(fmt, f"{side}_indent", Pt(SIZE_PAGE_NUMBER_PT))
        for kind, value in (("text", "— "), ("field", "PAGE"), ("text", " —")):
            if kind == "text":
                set_fonts(p.add_run(value), PAGE_NUMBER_FONTS, SIZE_PAGE_NUMBER_PT)
            else:
                _docx_field(p, value, lambda r: set_fonts(r, PAGE_NUMBER_FONTS, 14), qn)

    props = document.core_properties
    stamp = datetime.datetime.combine(doc.date, datetime.time(), tzinfo=datetime.UTC)
    props.created = props.modified = stamp
    props.author = props.last_modified_by = _clean(doc.issuer)
    props.title = _clean(doc.title)
    props.subject = _clean(doc.number)
    props.revision = 1
    props.comments = props.keywords = props.category = ""

    buffer = io.BytesIO()
    document.save(buffer)
    return _stable_zip(buffer.getvalue(), doc.date)


def _docx_grid(section, qn, OxmlElement):
    """Document grid: 22 lines × 28 characters (w:docGrid, as Word's 文档网格 dialog sets it)."""
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
    # charSpace: extra pitch per character relative to the Normal font size, in 1/4096 pt.
    grid.set(qn("w:charSpace"), str(round((CHAR_PITCH_PT - SIZE_BODY_PT) * 4096)))


def _docx_border(p, side, qn, OxmlElement, *, color, size_eighths):
    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # pBdr must precede spacing/ind/jc in CT_PPr's sequence.
        anchor = next(
            (
                ppr.find(qn(tag))
                for tag in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
                if ppr.find(qn(tag)) is not None
            ),
            None,
        )
        if anchor is not None:
            anchor.addprevious(borders)
        else:
            ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), "4")
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _docx_bottom_rule(p, qn, OxmlElement, *, color, size_eighths):
    _docx_border(p, "bottom", qn, OxmlElement, color=color, size_eighths=size_eighths)


def _docx_field(p, instruction, style_run, qn):
    """A complex field (w:fldChar begin/separate/end) such as PAGE, with a cached result."""
    from docx.oxml import OxmlElement

    def fld_char(kind):
        run = p.add_run()
        style_run(run)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld_char("begin")
    run = p.add_run()
    style_run(run)
    instr = OxmlElement("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld_char("separate")
    style_run(p.add_run("1"))
    fld_char("end")


def _stable_zip(data: bytes, date: datetime.date) -> bytes:
    """Re-pack with fixed member timestamps so equal documents give equal bytes."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ----------------------------------------------------------------------------------------- PDF


def _css_fonts(chain: tuple[str, ...]) -> str:
    return ", ".join(
        name if name in ("serif", "sans-serif") else f'"{name}"' for name in chain + _LAST_RESORT
    )


_CSS = """
@page {
  size: A4;
  margin: %(mt)smm %(mr)smm %(mb)smm %(ml)smm;
}
@page :right {
  @bottom-right {
    content: "— " counter(page) " —";
    vertical-align: top; padding-top: 7mm; padding-right: 1em;
    font-family: %(page_fonts)s; font-size: %(page_size)spt;
  }
}
@page :left {
  @bottom-left {
    content: "— " counter(page) " —";
    vertical-align: top; padding-top: 7mm; padding-left: 1em;
    font-family: %(page_fonts)s; font-size: %(page_size)spt;
  }
}
html { color: #000; }
body {
  margin: 0;
  font-family: %(body_fonts)s; font-size: %(body_size)spt;
  line-height: %(pitch)spt;
  letter-spacing: %(tracking)spt;
  text-align: left;  /* WeasyPrint justifies at spaces only, so CJK lines stay ragged */
  font-kerning: none;
  orphans: 1; widows: 1;
}
p { margin: 0; }
.blank { height: %(pitch)spt; }
.issuer {
  font-family: %(title_fonts)s; color: #%(red)s; text-align: center;
  letter-spacing: 0; white-space: nowrap;
}
.number { text-align: center; margin-top: calc(2 * %(pitch)spt); }
.rule { border: 0; border-top: 1pt solid #%(red)s; margin: 4mm 0 0 0; height: 0; }
h1 {
  font-family: %(title_fonts)s; font-size: %(title_size)spt; font-weight: normal;
  line-height: 36pt; letter-spacing: 0; text-align: center;
  margin: calc(2 * %(pitch)spt) 0 %(pitch)spt 0;
}
.para { text-indent: 2em; }
.attachments { margin-top: %(pitch)spt; }
.attachments p { padding-left: 5em; text-indent: -3em; }
.attachments p + p { text-indent: 0; }
.closing { margin-top: %(pitch)spt; text-align: right; padding-right: 4em;
  break-inside: avoid; break-before: avoid; }
.closing .block { display: inline-block; text-align: center; white-space: nowrap; }
.closing .seal { color: #808080; }
.cc {
  margin-top: %(pitch)spt; padding: 0 1em;
  border-top: 0.5pt solid #000; border-bottom: 0.5pt solid #000;
  font-size: %(page_size)spt; line-height: %(pitch)spt; letter-spacing: 0; text-align: left;
  break-inside: avoid;
}
"""


def render_html(doc: OfficialDocument) -> str:
    """The print HTML the PDF is made from; every piece of text is escaped."""

    def e(text: str) -> str:
        return html.escape(text, quote=True)

    issuer = _clean(doc.issuer).replace("\n", "")
    css = _CSS % {
        "mt": MARGIN_TOP_MM,
        "mr": MARGIN_RIGHT_MM,
        "mb": MARGIN_BOTTOM_MM,
        "ml": MARGIN_LEFT_MM,
        "page_fonts": _css_fonts(PAGE_NUMBER_FONTS),
        "body_fonts": _css_fonts(BODY_FONTS),
        "title_fonts": _css_fonts(TITLE_FONTS),
        "page_size": SIZE_PAGE_NUMBER_PT,
        "body_size": SIZE_BODY_PT,
        "title_size": SIZE_TITLE_PT,
        "pitch": LINE_PITCH_PT,
        # Tracking that puts 28 characters on a line; a little extra slack for rounding.
        "tracking": f"{CHAR_PITCH_PT - SIZE_BODY_PT - 0.01:.3f}",
        "red": RED,
    }
    stamp = f"{doc.date.isoformat()}T00:00:00Z"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(_clean(doc.title))}</title>",
        f'<meta name="author" content="{e(issuer)}">',
        f'<meta name="description" content="{e(_clean(doc.number))}">',
        f'<meta name="dcterms.created" content="{stamp}">',
        f'<meta name="dcterms.modified" content="{stamp}">',
        f"<style>{css}</style></head><body>",
        f'<div class="issuer" style="font-size: {_issuer_size_pt(issuer)}pt; '
        f'line-height: {max(LINE_PITCH_PT, _issuer_size_pt(issuer) * 1.3):.1f}pt">'
        f"{e(issuer)}</div>",
    ]
    number = _clean(doc.number).replace("\n", "")
    if number:
        parts.append(f'<p class="number">{e(number)}</p>')
    parts.append('<hr class="rule">')
    parts.append("<h1>" + "<br>".join(e(line) for line in _lines((doc.title,))) + "</h1>")
    if doc.recipient_text:
        parts.append(f'<p class="recipient">{e(doc.recipient_text)}</p>')
    parts.extend(f'<p class="para">{e(line)}</p>' for line in _lines(doc.body))
    attachments = doc.attachment_lines()
    if attachments:
        lines = [f"附件：{attachments[0]}", *attachments[1:]]
        items = "".join(f"<p>{e(line)}</p>" for line in lines)
        parts.append(f'<div class="attachments">{items}</div>')
    seal = _clean(doc.seal_note).replace("\n", " ")
    signature_lines = "".join(
        f"<p>{e(line.strip())}</p>" for line in doc.signature_text.split("\n")
    )
    parts.append(
        '<div class="closing"><div class="block">'
        + (f'<p class="seal">{e(seal)}</p>' if seal else "")
        + signature_lines
        + f'<p class="date">{e(doc.date_text)}</p></div></div>'
    )
    if doc.cc_text:
        parts.append(f'<div class="cc">抄送：{e(doc.cc_text)}</div>')
    parts.append("</body></html>")
    return "\n".join(parts)


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as a PDF (WeasyPrint), with metadata dates and file ID fixed by content."""
    return _pdf_from_html(render_html(doc))


@functools.lru_cache(maxsize=16)
def _pdf_from_html(source: str) -> bytes:
    """The same HTML always renders to the same bytes, and rendering (font subsetting) takes
    about half a second: keep the last few, so issuing a document and then downloading it, or
    reloading the demo, does not render it twice."""
    from weasyprint import HTML

    identifier = hashlib.sha256(source.encode()).hexdigest()[:32].encode()
    return HTML(string=source).write_pdf(pdf_identifier=identifier)


# -------------------------------------------------------------------------------------- Django


def document_response(
    doc: OfficialDocument,
    kind: Literal["pdf", "docx"] = "pdf",
    *,
    as_attachment: bool = True,
    filename: str = "",
):
    """A Django HttpResponse with the rendered document and a UTF-8 file name (`filename`,
    default from the document's title and number)."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    if kind == "pdf":
        content, content_type = render_pdf(doc), PDF_CONTENT_TYPE
    elif kind == "docx":
        content, content_type = render_docx(doc), DOCX_CONTENT_TYPE
    else:
        raise ValueError(f"unknown document kind {kind!r}: use 'pdf' or 'docx'")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment, filename or document_filename(doc, kind)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
