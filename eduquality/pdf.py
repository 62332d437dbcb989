"""PDF rendering with WeasyPrint, fenced in: the only files a document may load are the project's own
static files. Reports (issue: reports) and certificates (awards) both render through `render_pdf`.

User-written text reaches the HTML only through Django's auto-escaping templates; the fetcher is the
second wall: an `<img src="file:///etc/passwd">` or an http URL that slipped through loads nothing.
"""

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# WeasyPrint resolves relative URLs against base_url; this fake origin marks "the project's static files".
STATIC_ORIGIN = "https://static.eduquality.invalid/"


class FetchRefused(ValueError):
    """A document asked for something outside the project's static files."""


def static_path(url: str) -> Path | None:
    """The file on disk a static URL of the project names, or None when it names anything else."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != STATIC_ORIGIN:
        return None
    relative = unquote(parts.path).removeprefix("/").removeprefix(settings.STATIC_URL.strip("/") + "/")
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        candidate = Path(settings.STATIC_ROOT, relative).resolve()
        if candidate.is_file() and Path(settings.STATIC_ROOT).resolve() in candidate.parents:
            return candidate
    return None


def static_only_fetcher():
    """A WeasyPrint URL fetcher that serves the project's static files and `data:` URIs, nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_path(url)
            if path is None:
                raise FetchRefused(f"refused to fetch {url[:200]!r}: only the project's static files may be loaded")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher(allowed_protocols=("data",))


# Part of every content hash: a change of renderer or of the shared stylesheet makes new versions.
RENDERER_VERSION = "weasyprint-70/pdf.css-2"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def render_pdf_document(html: str) -> RenderedPdf:
    """The PDF and its page count. `static/css/pdf.css` gives documents the running header (an element
    with class `doc-header`), "第 N 页 共 M 页" in the page footer and an unnumbered cover page."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=static_only_fetcher()).render()
    return RenderedPdf(document.write_pdf(), len(document.pages))


def render_pdf(html: str) -> bytes:
    """The PDF of an HTML document whose static references are like `{% static 'css/pdf.css' %}`."""
    return render_pdf_document(html).content


def content_hash(html: str) -> str:
    """A digest of what a PDF would show: equal HTML renders an equal document, so a stored PDF with
    the same digest can be served again instead of rendering."""
    return hashlib.sha256(f"{RENDERER_VERSION}\n{html}".encode()).hexdigest()


def render_template_pdf(template_name: str, context: dict) -> bytes:
    return render_pdf(render_to_string(template_name, context))
