"""The PDF: fenced fetcher, escaping, layout furniture (cover, TOC, header, page numbers), fonts, reuse."""

import pytest

from eduquality import pdf
from reports import services
from reports.models import ReportPdf
from tests.reports.conftest import pdf_fonts, pdf_text, squeezed
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://static.eduquality.invalid/static/../../eduquality/settings.py",
        "https://static.eduquality.invalid/static/%2e%2e/%2e%2e/manage.py",
        "https://evil.invalid/static/css/pdf.css",
        "ftp://static.eduquality.invalid/static/css/pdf.css",
    ],
)
def test_fetcher_refuses_anything_but_the_static_files(url):
    with pytest.raises(pdf.FetchRefused):
        pdf.static_only_fetcher().fetch(url)


def test_fetcher_serves_a_static_file_and_data_uris():
    fetcher = pdf.static_only_fetcher()
    response = fetcher.fetch(pdf.STATIC_ORIGIN + "static/css/pdf.css")
    assert b"@page" in response.read() if hasattr(response, "read") else b"@page" in response.body
    assert fetcher.fetch("data:text/plain,hello")


def test_an_image_outside_the_static_files_loads_nothing(tmp_path):
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg"><text y="20">TOPSECRET</text></svg>')
    html = f'<html><body><p>正文</p><img src="file://{secret}"><img src="http://127.0.0.1:9/x.png"></body></html>'
    text = pdf_text(pdf.render_pdf(html))
    assert "正文" in text and "TOPSECRET" not in text


def test_render_template_pdf_keeps_its_signature():
    content = pdf.render_template_pdf("reports/_narrative.html", {"text": "证书正文"})
    assert content.startswith(b"%PDF") and "证书正文" in pdf_text(content)


def test_user_written_text_is_escaped_not_interpreted(city, semester):
    report = ReportFactory(
        school=city.school_a, basic_situation='<img src="file:///etc/passwd"><b>加粗</b> & <script>x()</script>'
    )
    html = services.document_html(report)
    assert "<b>加粗</b>" not in html and "&lt;b&gt;加粗&lt;/b&gt;" in html
    stored, _ = services.render_report_pdf(report)
    text = pdf_text(stored.file.read())
    assert "<b>加粗</b>" in text and "<script>x()</script>" in text


def test_school_report_pdf_has_cover_toc_header_page_numbers_and_embedded_cjk_fonts(city, semester, exam, tmp_path):
    report = ReportFactory(school=city.school_a, author=city.academic_lead_a)
    stored, reused = services.render_report_pdf(report)
    content = stored.file.read()
    text = pdf_text(content)
    pages = [squeezed(page) for page in text.split("\f")]
    assert not reused and stored.pages == len([p for p in pages if p.strip()]) == 4
    assert "全校各学科教学质量分析报告" in pages[0] and "第1页" not in pages[0]  # the cover is unnumbered
    assert "目录" in pages[1] and "二、成绩分析" in pages[1] and "第2页共4页" in pages[1]
    assert "甲小学·2026—2027学年第一学期" in pages[2]  # running header
    assert "第4页共4页" in pages[3]
    fonts = pdf_fonts(content, tmp_path)
    assert "Noto-Sans-CJK-SC" in fonts and "JP" not in fonts and "DejaVu" not in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded


def test_rendering_unchanged_content_reuses_the_stored_pdf(city, semester, exam):
    report = ReportFactory(school=city.school_a)
    first, reused_first = services.render_report_pdf(report)
    again, reused_again = services.render_report_pdf(report)
    assert (reused_first, reused_again) == (False, True) and again.pk == first.pk
    report.measures = "新增：每周一次教研活动。"
    report.save()
    changed, reused_changed = services.render_report_pdf(report)
    assert not reused_changed and changed.version == 2
    assert list(ReportPdf.objects.filter(report=report).values_list("version", flat=True).order_by("version")) == [1, 2]
    assert "每周一次教研活动" in pdf_text(changed.file.read())


def test_chapters_are_pdf_bookmarks_with_subjects_beneath(city, semester, exam):
    from weasyprint import HTML

    from eduquality import pdf

    report = ReportFactory(school=city.school_a)
    html = services.document_html(report)
    document = HTML(string=html, base_url=pdf.STATIC_ORIGIN, url_fetcher=pdf.static_only_fetcher()).render()
    tree = document.make_bookmark_tree()  # (label, target, children, state) per bookmark
    chapters = [label for label, _target, _children, _state in tree]
    assert chapters[0] == "一、基本情况" and chapters[-1].endswith("附录：各次监测明细")
    assert "目　录" not in chapters and "全校各学科教学质量分析报告" not in chapters  # not the toc, not the cover
    analysis = tree[chapters.index("二、成绩分析")]
    assert [child[0] for child in analysis[2]] == ["各学科横向比较", "1. 语文", "2. 数学"]
