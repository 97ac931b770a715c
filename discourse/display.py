"""HTML views of tagged documents: notebook display and standalone reports.

:func:`document_html` renders documents as an HTML fragment (what a
:class:`~discourse.Document` shows in Jupyter); :func:`report_html` wraps the
same view in a complete page with inline CSS, no external assets and no
JavaScript. Each sentence is shaded with the colours of its frames and ends
with a small chip per frame; hovering shows every label's probability; the
words that drove a tag (see :mod:`discourse.explain`) are underlined in the
frame's colour, one stacked line per frame.

Every piece of input text (documents, names, titles, label names) is escaped
with ``html.escape(..., quote=True)``, so a report never runs text as markup;
the standalone page also carries a Content-Security-Policy that forbids scripts.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

__all__ = ["DocumentList", "document_html", "label_colours", "report_html"]

# Okabe-Ito-like accents (distinguishable with common colour-vision deficiencies),
# each with a soft background tint.
_PALETTE = (
    ("#1f6feb", "#dbe9ff"),  # blue
    ("#d4540b", "#fde4d2"),  # vermillion
    ("#0e8a5f", "#d3f1e3"),  # bluish green
    ("#8250df", "#ebe1fc"),  # purple
    ("#bf3989", "#fbdeee"),  # reddish purple
    ("#9a6700", "#f8ecc6"),  # ochre
)
_KNOWN = {"multi_vector": 0, "sovereignty": 1, "no_conditions": 2}
_SHORT = {"multi_vector": "MV", "sovereignty": "SOV", "no_conditions": "NC"}
_DESCRIPTIONS = {
    "multi_vector": "a state balancing or hedging among several great powers",
    "sovereignty": "independence, equal footing, resisting outside pressure",
    "no_conditions": "aid, loans or investment as coming without political strings",
}
_EVIDENCE_TOP = 3  # underlined units per tagged label


def label_colours(labels):
    """Accent and soft background colour of each label, as CSS hex strings.

    The three built-in frames always get the same colours (blue, vermillion,
    green); other labels take the next colours of the palette.

    Parameters
    ----------
    labels : sequence of str

    Returns
    -------
    dict of str to (str, str)
        label -> (accent, background).

    Examples
    --------
    >>> label_colours(["multi_vector", "sovereignty"])["sovereignty"]
    ('#d4540b', '#fde4d2')
    """
    return {lab: _PALETTE[_KNOWN.get(lab, i) % len(_PALETTE)] for i, lab in enumerate(labels)}


def _esc(x):
    return html.escape(str(x), quote=True)


def _pretty(label):
    return label.replace("_", "-") if label in _KNOWN else label


def _short(label):
    return _SHORT.get(label) or label[:3].upper()


class DocumentList(list):
    """A plain list of Documents that renders as HTML in Jupyter.

    Examples
    --------
    >>> import discourse
    >>> docs = DocumentList(discourse.classify_many(["We choose no side.", "It rained."]))
    >>> len(docs), "<div" in docs._repr_html_()
    (2, True)
    """

    def _repr_html_(self):
        return document_html(self)


# -- input checks -------------------------------------------------------------------

def _as_docs(docs):
    from .api import Document

    if isinstance(docs, Document):
        return [docs]
    if isinstance(docs, (str, bytes)) or not isinstance(docs, Iterable):
        raise TypeError(f"docs must be a Document or an iterable of Documents, got {type(docs).__name__}")
    docs = list(docs)
    for i, d in enumerate(docs):
        if not isinstance(d, Document):
            raise TypeError(f"docs[{i}]: expected a discourse.Document, got {type(d).__name__}")
    return docs


def _as_names(names, n):
    if names is None:
        return [f"Document {i + 1}" for i in range(n)]
    if isinstance(names, (str, bytes)):
        raise TypeError("names must be a sequence of names, one per document, not a single str")
    names = [str(x) for x in names]
    if len(names) != n:
        raise ValueError(f"names has {len(names)} entries for {n} documents; give one name per document")
    return names


def _resolve_model(model):
    from .api import _model

    return _model(model)


# -- rendering ----------------------------------------------------------------------

_CSS = """
.dc{--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--paper:#ffffff;--wash:#f6f8fa;
  color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","DejaVu Sans",sans-serif;
  text-align:left}
.dc *{box-sizing:border-box}
.dc-frag{background:#fff;padding:10px 12px;border-radius:12px;max-width:900px}
.dc-legend{display:flex;flex-wrap:wrap;align-items:center;gap:6px 16px;margin:0 0 12px;
  color:var(--muted);font-size:13px}
.dc-key{display:inline-flex;align-items:center;gap:6px;color:var(--ink)}
.dc-swatch{display:inline-block;width:22px;height:14px;border-radius:4px;background:var(--bg);
  box-shadow:inset 0 -3px 0 var(--ac)}
.dc-hint{margin-left:auto;font-size:12px}
.dc-doc{background:var(--paper);border:1px solid var(--line);border-radius:12px;margin:0 0 18px;
  overflow:hidden;box-shadow:0 1px 2px rgba(31,35,40,.06)}
.dc-head{display:flex;flex-wrap:wrap;align-items:center;gap:6px 12px;padding:10px 18px;
  background:var(--wash);border-bottom:1px solid var(--line)}
.dc-name{font-weight:650;font-size:15px;overflow-wrap:anywhere}
.dc-stats{color:var(--muted);font-size:13px}
.dc-counts{display:flex;flex-wrap:wrap;gap:6px;margin-left:auto}
.dc-count{display:inline-flex;align-items:center;gap:5px;font-size:12px;line-height:20px;padding:0 9px 0 7px;
  border-radius:999px;background:var(--bg);color:var(--ink);white-space:nowrap}
.dc-count b{color:var(--ac);font-weight:700}
.dc-count.dc-zero{opacity:.45}
.dc-dot{width:8px;height:8px;border-radius:50%;background:var(--ac)}
.dc-body{padding:16px 22px 18px;margin:0;max-width:48em;white-space:pre-wrap;overflow-wrap:break-word;
  font-family:Charter,"Iowan Old Style","Palatino Linotype",Georgia,"DejaVu Serif",serif;
  font-size:16.5px;line-height:1.75;color:var(--ink)}
.dc-empty{color:var(--muted);font-style:italic}
.dc-s{border-radius:4px;padding:2px 1px;-webkit-box-decoration-break:clone;box-decoration-break:clone;
  transition:background-color .12s}
.dc-s:not(.dc-t):hover{background:#eef1f4}
.dc-t:hover{filter:saturate(1.5) brightness(.97)}
.dc-ev{box-decoration-break:clone;-webkit-box-decoration-break:clone;padding-bottom:1px}
.dc-chip{display:inline-block;margin-left:4px;padding:0 6px;border-radius:999px;background:var(--ac);color:#fff;
  font:700 10px/16px system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;letter-spacing:.05em;
  vertical-align:2px;white-space:nowrap;-webkit-user-select:none;user-select:none}
.dc-more{color:var(--muted);font-size:13px;margin:4px 2px 12px}
"""

_PAGE_CSS = """
html{background:#eef1f5}
body{margin:0;padding:32px 16px 48px}
.dc-page{max-width:840px;margin:0 auto}
.dc-page .dc-body{max-width:none}
.dc-page h1{font-size:26px;line-height:1.25;margin:0 0 4px;font-weight:700;letter-spacing:-.01em;
  overflow-wrap:anywhere}
.dc-sub{color:var(--muted);margin:0 0 20px;font-size:13.5px}
.dc-card{background:var(--paper);border:1px solid var(--line);border-radius:12px;padding:14px 18px;margin:0 0 18px;
  box-shadow:0 1px 2px rgba(31,35,40,.06)}
.dc-card h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0 0 10px;
  font-weight:650}
.dc-frames{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:10px 18px;margin:0;
  padding:0;list-style:none}
.dc-frames li{display:flex;gap:10px;align-items:flex-start}
.dc-frames .dc-swatch{flex:none;margin-top:3px}
.dc-frames strong{display:block}
.dc-frames span.dc-desc{color:var(--muted);font-size:13px}
.dc-howto{margin:12px 0 0;color:var(--muted);font-size:12.5px}
.dc-ov{width:100%;border-collapse:collapse;font-size:13.5px}
.dc-ov th{text-align:left;color:var(--muted);font-weight:600;font-size:12px;padding:4px 8px;
  border-bottom:1px solid var(--line)}
.dc-ov td{padding:5px 8px;border-bottom:1px solid #eef0f2;vertical-align:middle}
.dc-ov tr:last-child td{border-bottom:0}
.dc-ov td.n{text-align:right;font-variant-numeric:tabular-nums;width:5.5em}
.dc-ov a{color:var(--ink);text-decoration:none;font-weight:600}
.dc-ov a:hover{text-decoration:underline}
.dc-bar{display:flex;align-items:center;gap:8px;font-variant-numeric:tabular-nums}
.dc-track{display:block;width:64px;height:8px;border-radius:4px;background:#eef1f4;overflow:hidden}
.dc-track i{display:block;height:100%;border-radius:4px;background:var(--ac)}
.dc-bar span{color:var(--muted);font-size:12px;min-width:5.5em}
.dc-page footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
"""


def _vars(accent, bg):
    return f"--ac:{accent};--bg:{bg}"


def _legend(labels, colours, hint=True):
    keys = []
    for lab in labels:
        ac, bg = colours[lab]
        desc = _DESCRIPTIONS.get(lab, "")
        keys.append(f'<span class="dc-key" title="{_esc(desc)}"><span class="dc-swatch" style="{_vars(ac, bg)}">'
                    f"</span>{_esc(_pretty(lab))}</span>")
    tip = ('<span class="dc-hint">shaded: tagged sentence &middot; underlined: words that drove the tag '
           "&middot; hover for scores</span>") if hint else ""
    return '<div class="dc-legend">' + "".join(keys) + tip + "</div>"


def _sentence_title(s, labels, thresholds, ex):
    lines = []
    for lab, t in zip(labels, thresholds):
        p = s.scores.get(lab)
        if p is None:
            continue
        mark = f"  \u2713 tagged (\u2265 {t:g})" if lab in s.labels else ""
        lines.append(f"{lab}: {p:.3f}{mark}")
    if ex is not None:
        for lab in s.labels:
            if lab in ex:
                lines.append(ex[lab].summary(top=4))
    return "\n".join(lines)


def _sentence_html(s, labels, colours, thresholds, ex):
    """One sentence: shaded span, underlined evidence, chips."""
    text = s.text
    spans = []  # (start, end, label, contribution, terms)
    if ex is not None:
        for lab in s.labels:
            if lab in ex:
                for a, b, c, terms in ex.evidence(lab, top=_EVIDENCE_TOP):
                    spans.append((max(0, a), min(len(text), b), lab, c, terms))
    cuts = sorted({0, len(text)} | {a for a, *_ in spans} | {b for _, b, *_ in spans})
    inner = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        piece = _esc(text[a:b])
        cover = [sp for sp in spans if sp[0] <= a and b <= sp[1]]
        if not cover:
            inner.append(piece)
            continue
        covering = [lab for lab in labels if any(sp[2] == lab for sp in cover)]
        shadows = ",".join(f"inset 0 -{2 * (k + 1)}px 0 {colours[lab][0]}" for k, lab in enumerate(covering))
        why = "\n".join(
            f"drives {sp[2]}: {sp[3]:+.2f} from " + ", ".join(repr(t.replace(' ', '\u2423')) for t in sp[4][:4])
            for sp in cover)
        inner.append(f'<span class="dc-ev" style="box-shadow:{shadows}" title="{_esc(why)}">{piece}</span>')
    title = _esc(_sentence_title(s, labels, thresholds, ex))
    if not s.labels:
        return f'<span class="dc-s" title="{title}">{"".join(inner)}</span>'
    tints = [colours[lab][1] for lab in s.labels if lab in colours]
    if len(tints) == 1:
        bg = f"background:{tints[0]}"
    else:
        step = 100 / len(tints)
        stops = ",".join(f"{c} {k * step:.1f}% {(k + 1) * step:.1f}%" for k, c in enumerate(tints))
        bg = f"background:linear-gradient(180deg,{stops})"
    chips = "".join(f'<span class="dc-chip" style="--ac:{colours[lab][0]}" title="{_esc(lab)}">'
                    f"{_esc(_short(lab))}</span>" for lab in s.labels if lab in colours)
    return f'<span class="dc-s dc-t" style="{bg}" title="{title}">{"".join(inner)}{chips}</span>'


def _doc_html(doc, name, anchor, labels, colours, thresholds, explanations):
    n = len(doc.sentences)
    tagged = sum(1 for s in doc.sentences if s.labels)
    counts = []
    for lab in labels:
        k = sum(1 for s in doc.sentences if lab in s.labels)
        ac, bg = colours[lab]
        zero = " dc-zero" if k == 0 else ""
        counts.append(f'<span class="dc-count{zero}" style="{_vars(ac, bg)}" title="{_esc(lab)}: {k} of {n} '
                      f'sentences"><span class="dc-dot"></span>{_esc(_pretty(lab))} <b>{k}</b></span>')
    stats = f"{n} sentence{'s' if n != 1 else ''} &middot; {tagged} tagged"
    head = (f'<div class="dc-head"><span class="dc-name">{_esc(name)}</span>'
            f'<span class="dc-stats">{stats}</span><span class="dc-counts">{"".join(counts)}</span></div>')
    body, pos = [], 0
    text = doc.text
    for s in doc.sentences:
        if s.start < pos:  # defensive: overlapping spans render once
            continue
        body.append(_esc(text[pos:s.start]))
        body.append(_sentence_html(s, labels, colours, thresholds, explanations.get(id(s))))
        pos = s.end
    body.append(_esc(text[pos:].rstrip()))
    if not doc.sentences:
        body = ['<span class="dc-empty">(no sentences)</span>']
    ident = f' id="{_esc(anchor)}"' if anchor else ""
    return (f'<section class="dc-doc"{ident}>{head}'
            f'<div class="dc-body">{"".join(body).strip(chr(10))}</div></section>')


def _explanations(docs, model, explain):
    if not explain:
        return {}
    from .explain import _explain_batch

    tagged = [s for d in docs for s in d.sentences if s.labels]
    found = _explain_batch([s.text for s in tagged], model, top=0)
    return {id(s): e for s, e in zip(tagged, found)}


def _render(docs, names, model, explain, anchors):
    labels = tuple(model.labels)
    colours = label_colours(labels)
    thresholds = [float(t) for t in model.thresholds_]
    ex = _explanations(docs, model, explain)
    return labels, colours, [
        _doc_html(d, name, f"doc-{i + 1}" if anchors else None, labels, colours, thresholds, ex)
        for i, (d, name) in enumerate(zip(docs, names))
    ]


def document_html(docs, *, model=None, names=None, explain=True, max_docs=50):
    """An HTML fragment showing tagged documents (what Jupyter displays).

    Parameters
    ----------
    docs : Document or iterable of Document
    model : Model, optional
        The model that tagged them (for thresholds and explanations); defaults
        to the built-in model.
    names : sequence of str, optional
        A heading per document; defaults to "Document 1", "Document 2", ...
    explain : bool, default=True
        Underline the words that drove each tag.
    max_docs : int, default=50
        Show at most this many documents (a note counts the rest); use
        :func:`report_html` for a page with all of them.

    Returns
    -------
    str
        A ``<div>`` with its own scoped ``<style>``; every piece of text is escaped.

    Examples
    --------
    >>> import discourse
    >>> doc = discourse.classify("Kazakhstan refuses to choose between Moscow and Beijing. <b>Hi</b>")
    >>> out = document_html(doc)
    >>> "&lt;b&gt;Hi&lt;/b&gt;" in out and "<b>Hi</b>" not in out
    True
    >>> "multi-vector" in out
    True
    """
    docs = _as_docs(docs)
    names = _as_names(names, len(docs))
    model = _resolve_model(model)
    if isinstance(max_docs, bool) or not isinstance(max_docs, int) or max_docs < 1:
        raise ValueError(f"max_docs must be a positive int, got {max_docs!r}")
    shown = docs[:max_docs]
    labels, colours, parts = _render(shown, names, model, explain, anchors=False)
    more = ""
    if len(docs) > len(shown):
        rest = len(docs) - len(shown)
        more = (f'<div class="dc-more">&hellip; and {rest} more document{"s" if rest != 1 else ""} '
                f"(discourse.display.report_html renders them all)</div>")
    return (f"<style>{_CSS}</style><div class=\"dc dc-frag\">{_legend(labels, colours)}"
            + "".join(parts) + more + "</div>")


def report_html(docs, names=None, *, model=None, title="discourse report", explain=True):
    """A standalone HTML page (inline CSS, no external assets, no JavaScript).

    Parameters
    ----------
    docs : Document or iterable of Document
    names : sequence of str, optional
        A heading per document (e.g. file names); defaults to "Document 1", ...
    model : Model, optional
        The model that tagged them; defaults to the built-in model.
    title : str, default="discourse report"
        The page title and heading.
    explain : bool, default=True
        Underline the words that drove each tag.

    Returns
    -------
    str
        A complete ``<!DOCTYPE html>`` document.

    Examples
    --------
    >>> import discourse
    >>> docs = discourse.classify_many(['He said "no strings" <script>alert(1)</script>'])
    >>> page = report_html(docs, ["a.txt"], title="Q&A")
    >>> page.startswith("<!DOCTYPE html>"), "<script>" in page
    (True, False)
    >>> "<title>Q&amp;A</title>" in page
    True
    """
    from . import __version__

    docs = _as_docs(docs)
    names = _as_names(names, len(docs))
    model = _resolve_model(model)
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    labels, colours, parts = _render(docs, names, model, explain, anchors=True)

    n_sent = sum(len(d.sentences) for d in docs)
    n_tagged = sum(1 for d in docs for s in d.sentences if s.labels)
    sha = str(model.metadata.get("sha256", ""))[:12]
    sub = [f"{len(docs)} document{'s' if len(docs) != 1 else ''}", f"{n_sent} sentences",
           f"{n_tagged} tagged"]
    if sha:
        sub.append(f"model {_esc(sha)}")
    sub.append(f"discourse {_esc(__version__)}")

    frames = []
    for lab, t in zip(labels, model.thresholds_):
        ac, bg = colours[lab]
        desc = _DESCRIPTIONS.get(lab, "")
        frames.append(f'<li><span class="dc-swatch" style="{_vars(ac, bg)}"></span><div><strong>'
                      f'{_esc(_pretty(lab))} <span class="dc-chip" style="--ac:{ac}">{_esc(_short(lab))}'
                      f'</span></strong><span class="dc-desc">{_esc(desc)}'
                      f'{" &middot; " if desc else ""}tagged at p &ge; {float(t):g}</span></div></li>')
    howto = ("Shaded sentences carry a frame; multi-frame sentences show every colour and one chip per frame. "
             + ("Underlines mark the words that drove each tag. " if explain else "")
             + "Hover a sentence for its scores.")
    legend = (f'<section class="dc-card"><h2>Frames</h2><ul class="dc-frames">{"".join(frames)}</ul>'
              f'<p class="dc-howto">{howto}</p></section>')

    overview = ""
    if len(docs) > 1:
        head = "".join(f"<th>{_esc(_pretty(lab))}</th>" for lab in labels)
        rows = []
        table = [[sum(1 for s in d.sentences if lab in s.labels) for lab in labels] for d in docs]
        top = max((k / len(d.sentences) for d, ks in zip(docs, table) if d.sentences for k in ks),
                  default=0.0) or 1.0
        for i, (d, name) in enumerate(zip(docs, names)):
            n = len(d.sentences)
            cells = []
            for lab, k in zip(labels, table[i]):
                share = k / n if n else 0.0
                cells.append(f'<td><div class="dc-bar" style="--ac:{colours[lab][0]}" title="{k} of {n} '
                             f'sentences"><span class="dc-track"><i style="width:{100 * share / top:.1f}%">'
                             f'</i></span><span>{k} &middot; {100 * share:.0f}%</span></div></td>')
            rows.append(f'<tr><td><a href="#doc-{i + 1}">{_esc(name)}</a></td><td class="n">{n}</td>'
                        f'<td class="n">{sum(1 for s in d.sentences if s.labels)}</td>{"".join(cells)}</tr>')
        overview = (f'<section class="dc-card"><h2>Overview</h2><table class="dc-ov"><thead><tr><th>document</th>'
                    f'<th class="n">sentences</th><th class="n">tagged</th>{head}</tr></thead>'
                    f'<tbody>{"".join(rows)}</tbody></table></section>')

    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<meta name=\"generator\" content=\"discourse {_esc(__version__)}\">\n"
        f"<title>{_esc(title)}</title>\n<style>{_CSS}{_PAGE_CSS}</style>\n</head>\n<body>\n"
        f'<main class="dc dc-page">\n<header><h1>{_esc(title)}</h1>'
        f'<p class="dc-sub">{" &middot; ".join(sub)}</p></header>\n'
        f"{legend}\n{overview}\n" + "\n".join(parts) +
        "\n<footer>Generated by discourse. Frames are model predictions, not annotations.</footer>\n"
        "</main>\n</body>\n</html>\n"
    )
