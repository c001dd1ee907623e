"""documents: txt, md, html, pdf and docx read as paragraph text; unreadable files are InputErrors."""

from __future__ import annotations

import json

import pytest

from tunesmith.data.documents import DOCUMENT_SUFFIXES, document_records, read_document
from tunesmith.errors import InputError

HTML = """<!doctype html><html><head><title>Ignored</title><style>p {color: red}</style></head>
<body><nav><a href="/">Home</a> | <a href="/shop">Shop</a></nav>
<h1>Returns policy</h1>
<p>You can return any device
   within <b>30 days</b>.</p>
<script>var tracking = "secret";</script>
<ul><li>Keep the box.</li><li>Print the label.</li></ul>
<p>Line one<br>line two</p>
</body></html>"""


def pdf_bytes(pages: list[str]) -> bytes:
    """A minimal valid PDF whose pages each show one line of Helvetica text."""
    count = len(pages)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
        + b"] /Count %d >>" % count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(pages):
        content = b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def docx_file(path):
    import docx

    document = docx.Document()
    document.add_heading("Warranty", level=1)
    document.add_paragraph("Every device has a two-year warranty.")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("Device", "Years"), ("HomeCam", "2")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Contact support to claim it.")
    document.save(path)
    return path


def test_text_and_markdown_keep_their_text(tmp_path):
    (tmp_path / "a.txt").write_bytes("\ufeffFirst line.\r\n\r\n第二段。\r\n".encode())
    (tmp_path / "b.md").write_text("# Title\n\nSome *markdown* text.\n", encoding="utf-8")
    assert read_document(tmp_path / "a.txt") == "First line.\n\n第二段。"
    assert read_document(tmp_path / "b.md") == "# Title\n\nSome *markdown* text."


def test_html_drops_scripts_styles_and_navigation_and_keeps_paragraphs(tmp_path):
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")
    assert read_document(tmp_path / "page.html").split("\n\n") == [
        "Returns policy",
        "You can return any device within 30 days.",
        "Keep the box.",
        "Print the label.",
        "Line one line two",
    ]


def test_pdf_pages_are_joined(tmp_path):
    (tmp_path / "doc.pdf").write_bytes(pdf_bytes(["Page one says hello.", "Page two says goodbye."]))
    assert read_document(tmp_path / "doc.pdf") == "Page one says hello.\n\nPage two says goodbye."


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    text = read_document(docx_file(tmp_path / "w.docx"))
    assert text == (
        "Warranty\n\nEvery device has a two-year warranty.\n\n"
        "Device | Years\nHomeCam | 2\n\nContact support to claim it."
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "expected a readable PDF file"),
        ("broken.docx", b"PK\x03\x04 not a zip", "expected a Word .docx file"),
        ("latin.txt", "café".encode("latin-1"), "expected UTF-8 text"),
        ("sheet.xlsx", b"whatever", "unsupported document type '.xlsx'"),
    ],
)
def test_unreadable_files_are_input_errors_naming_the_file(tmp_path, name, content, expected):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_document(tmp_path / name)
    assert caught.value.where == str(tmp_path / name)
    assert expected in caught.value.message


def test_document_records_for_a_folder_are_sorted_with_their_source(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.md").write_text("Nested.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Bee.", encoding="utf-8")
    (tmp_path / "a.pdf").write_bytes(pdf_bytes(["Ay."]))
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")  # not a document: skipped
    records = document_records(tmp_path)
    assert [r["text"] for r in records] == ["Ay.", "Bee.", "Nested."]
    assert [json.loads(r["meta"])["source"] for r in records] == ["a.pdf", "b.txt", "sub/c.md"]
    assert document_records(tmp_path / "b.txt") == [{"text": "Bee.", "meta": json.dumps({"source": "b.txt"})}]
    assert ".pdf" in DOCUMENT_SUFFIXES and ".docx" in DOCUMENT_SUFFIXES
