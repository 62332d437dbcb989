"""WeasyPrint's fetcher (eduquality/pdf.py) reaches the project's static files and nothing else:
not the server's files, not the network — even when a document asks for them."""

import socket
import subprocess
import threading

import pytest

from eduquality.pdf import render_pdf


@pytest.fixture
def listener():
    """A socket on 127.0.0.1 that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    seen, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            seen.append(connection.recv(1024))
            connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/css\r\n\r\nbody{}")
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join(timeout=2)
    server.close()


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_hostile_document_gets_neither_local_files_nor_the_network(listener, tmp_path):
    port, seen = listener
    html = f"""<html><head>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css">
      <link rel="attachment" href="file:///etc/passwd" title="passwd">
      <link rel="attachment" href="/etc/passwd">
      </head><body style="font-family: 'Noto Sans CJK SC'">
      <p>正文可见</p>
      <img src="file:///etc/passwd">
      <img src="http://127.0.0.1:{port}/tracker.png">
      <img src="../../../../etc/passwd">
      <img src="/static/../../../../etc/passwd">
      <object data="file:///etc/passwd"></object>
      <iframe src="file:///etc/passwd"></iframe>
      <p style="background: url('http://127.0.0.1:{port}/bg.png')">x</p>
    </body></html>"""
    content = render_pdf(html)
    text = pdf_text(content, tmp_path)
    assert "正文可见" in text  # the document itself rendered
    assert "root:" not in text
    assert b"root:x:0:0" not in content
    assert b"/EmbeddedFile" not in content, "a file was attached to the PDF"
    assert seen == [], f"the renderer made requests: {seen}"


def test_the_projects_static_files_still_load(tmp_path, monkeypatch):
    """The control: a static stylesheet is fetched, so the refusals above are the fence at work."""
    from eduquality import pdf

    served = []
    real = pdf.static_path
    monkeypatch.setattr(pdf, "static_path", lambda url: served.append(real(url)) or served[-1])
    with_css = render_pdf(
        '<html><head><link rel="stylesheet" href="/static/css/app.css"></head><body><p>样式</p></body></html>'
    )
    assert "样式" in pdf_text(with_css, tmp_path)
    assert served and served[0] is not None and served[0].name == "app.css"
