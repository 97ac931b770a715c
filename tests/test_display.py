"""discourse.display: notebook HTML and standalone reports, always escaped."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest

import discourse
from discourse.api import Document, Sentence
from discourse.cli import main
from discourse.display import DocumentList, document_html, label_colours, report_html

HOSTILE = [
    'He said "<script>alert(\'x\')</script>" & left. Nobody will dictate our laws, he added.',
    "<img src=x onerror=alert(1)> Kazakhstan refuses to choose between Moscow and Beijing.",
    "</span></div><!-- The loans come with no political strings attached. -->",
    "Ich sage \u201eNein\u201c & <b>nichts</b>. Мы никому не позволим диктовать нам 'внешнюю' политику.",
]
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "p", "section",
                "div", "span", "ul", "li", "strong", "table", "thead", "tbody", "tr", "th", "td", "a", "i",
                "b", "footer"}
ALLOWED_ATTRS = {"class", "style", "title", "id", "href", "lang", "charset", "name", "content", "http-equiv"}


class _Page(HTMLParser):
    """Collects tags, attributes and the document text (without chips) of our HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.bodies = set(), [], []
        self._stack = []  # (tag, role) with role in {"body", "chip", None}

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.extend(attrs)
        cls = dict(attrs).get("class") or ""
        role = "body" if "dc-body" in cls.split() else "chip" if "dc-chip" in cls.split() else None
        if role == "body":
            self.bodies.append("")
        if tag not in ("meta", "br", "hr", "img", "link"):  # void elements have no end tag
            self._stack.append((tag, role))

    def handle_endtag(self, tag):
        assert self._stack and self._stack[-1][0] == tag, f"unbalanced </{tag}>"
        self._stack.pop()

    def handle_data(self, data):
        roles = [r for _, r in self._stack]
        if "body" in roles and "chip" not in roles:
            self.bodies[-1] += data

    def close(self):
        super().close()
        assert not self._stack, f"unclosed tags: {self._stack}"


def _parse(page):
    p = _Page()
    p.feed(page)
    p.close()
    return p


@pytest.fixture(scope="module")
def sample_docs(samples):
    return discourse.classify_many([s.text for s in samples]), [s.id for s in samples]


@pytest.mark.parametrize("explain", [True, False])
@pytest.mark.parametrize("render", ["fragment", "report"])
def test_hostile_text_is_escaped_and_round_trips(render, explain):
    docs = discourse.classify_many(HOSTILE)
    page = (document_html(docs, explain=explain) if render == "fragment"
            else report_html(docs, ["<script>n</script>"] * len(docs), title='<script>"t"</script>',
                             explain=explain))
    assert "<script" not in page.lower() and "<img" not in page and "<b>nichts" not in page
    assert "&lt;script&gt;" in page
    parsed = _parse(page)
    assert parsed.tags <= ALLOWED_TAGS
    assert {name for name, _ in parsed.attrs} <= ALLOWED_ATTRS
    # the visible text of every document is exactly its input text (trailing blanks aside)
    assert [b.strip() for b in parsed.bodies] == [t.strip() for t in HOSTILE]


@pytest.mark.parametrize("name", ['" onmouseover="alert(1)', "' style='x", "a&b<c>"])
def test_names_and_tooltips_cannot_break_out_of_attributes(name):
    doc = discourse.classify(HOSTILE[1])
    for page in (document_html(doc, names=[name]), report_html([doc, doc], [name, name], title=name)):
        parsed = _parse(page)
        assert {attr for attr, _ in parsed.attrs} <= ALLOWED_ATTRS
        assert html.escape(name, quote=True) in page
        titles = [value for attr, value in parsed.attrs if attr == "title"]
        assert any(value.startswith("multi_vector: ") for value in titles)  # scores on hover


@pytest.mark.parametrize("render", [document_html, report_html])
def test_legend_names_every_label_with_its_colour(render, sample_docs):
    docs, names = sample_docs
    page = render(docs, names=names) if render is document_html else render(docs, names)
    for label, (accent, background) in label_colours(discourse.LABELS).items():
        assert label.replace("_", "-") in page
        assert accent in page and background in page
    assert "dc-legend" in page or "Frames" in page


@pytest.mark.parametrize("i", range(3))
def test_each_document_has_a_summary_with_counts(i, sample_docs):
    docs, names = sample_docs
    doc = docs[i]
    page = document_html(doc, names=[names[i]])
    n = len(doc.sentences)
    tagged = sum(1 for s in doc.sentences if s.labels)
    assert f"{n} sentences &middot; {tagged} tagged" in page
    for label in discourse.LABELS:
        k = sum(1 for s in doc.sentences if label in s.labels)
        assert f"{label.replace('_', '-')} <b>{k}</b>" in page
    assert page.count('class="dc-s dc-t"') == tagged
    assert page.count('class="dc-s"') == n - tagged


@pytest.mark.parametrize("labels", [("multi_vector", "sovereignty"),
                                    ("multi_vector", "sovereignty", "no_conditions")])
def test_a_multi_frame_sentence_shows_every_frame(labels):
    text = "Astana deals with everyone and takes orders from no one."
    scores = {lab: (0.9 if lab in labels else 0.1) for lab in discourse.LABELS}
    doc = Document(text, [Sentence(text, 0, len(text), labels, scores)])
    page = document_html(doc)
    colours = label_colours(discourse.LABELS)
    assert "linear-gradient" in page
    for lab in labels:
        assert f'title="{lab}">' in page  # one chip per frame
        assert colours[lab][1] in page.split("dc-s dc-t", 1)[1]
    assert "\u2713 tagged" in page


@pytest.mark.parametrize("explain", [True, False])
def test_words_that_drove_a_tag_are_underlined_only_when_explaining(explain):
    doc = discourse.classify("Kazakhstan refuses to choose between Moscow and Beijing.")
    assert doc.sentences[0].labels
    page = document_html(doc, explain=explain)
    assert ('class="dc-ev"' in page) == explain
    if explain:
        assert "drives multi_vector" in page and "inset 0 -2px 0" in page


@pytest.mark.parametrize("text", ["Kazakhstan refuses to choose between Moscow and Beijing. It rained."])
def test_document_displays_as_html_in_notebooks_and_keeps_a_short_repr(text):
    doc = discourse.classify(text)
    assert doc._repr_html_() == document_html([doc])
    assert len(repr(doc)) < 80 and "<span" not in repr(doc)
    docs = DocumentList([doc, doc])
    assert docs == [doc, doc] and docs._repr_html_().count('class="dc-doc"') == 2


@pytest.mark.parametrize("n", [3])
def test_long_lists_are_cut_with_a_note(n):
    docs = discourse.classify_many(["One sentence here."] * n)
    page = document_html(docs, max_docs=2)
    assert page.count('class="dc-doc"') == 2 and "1 more document" in page


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_documents_render(text):
    page = report_html([discourse.classify(text)], ["empty.txt"])
    assert "(no sentences)" in page and "0 sentences" in page


@pytest.mark.parametrize("bad, exc, match", [
    ("a text", TypeError, "Document"),
    (["a text"], TypeError, r"docs\[0\].*str"),
    (None, TypeError, "NoneType"),
])
def test_bad_input_is_rejected_naming_it(bad, exc, match):
    with pytest.raises(exc, match=match):
        document_html(bad)
    with pytest.raises(exc, match=match):
        report_html(bad)


@pytest.mark.parametrize("names, exc", [(["a", "b"], ValueError), ("ab", TypeError)])
def test_names_must_match_the_documents(names, exc):
    with pytest.raises(exc, match="names"):
        report_html([discourse.classify("One.")], names)


@pytest.mark.parametrize("max_docs", [0, -1, 1.5])
def test_max_docs_must_be_positive(max_docs):
    with pytest.raises(ValueError, match="max_docs"):
        document_html([], max_docs=max_docs)


@pytest.mark.parametrize("n_docs", [1, 6])
def test_report_is_a_complete_page_without_external_assets(n_docs, sample_docs):
    docs, names = sample_docs
    page = report_html(docs[:n_docs], names[:n_docs], title="Six & more")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in page and "<title>Six &amp; more</title>" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    for asset in ("<link", "<script", "src=", "@import", "url("):
        assert asset not in page
    assert page.count('class="dc-doc"') == n_docs
    assert ("Overview" in page) == (n_docs > 1)
    _parse(page)  # balanced markup


@pytest.mark.parametrize("explain", [False, True])
def test_cli_html_writes_a_complete_report(explain, tmp_path, capsys):
    a, b = tmp_path / "a<1>.txt", tmp_path / "b.txt"
    a.write_text(HOSTILE[0], encoding="utf-8")
    b.write_text("Kazakhstan refuses to choose between Moscow and Beijing.", encoding="utf-8")
    out = tmp_path / "report.html"
    args = ["classify", str(a), str(b), "--format", "html", "-o", str(out)] + (["--explain"] if explain else [])
    assert main(args) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "a&lt;1&gt;.txt" in page
    assert page.count('class="dc-doc"') == 2
    assert ('class="dc-ev"' in page) == explain
    assert main(["classify", str(b), "--format", "html"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
