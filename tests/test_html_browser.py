"""The standalone report in a real browser: headless Chromium renders it, without errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import discourse
from discourse.api import Document, Sentence
from discourse.display import label_colours, report_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

HOSTILE = 'He said "<script>document.title=\'pwned\'</script>" & left. <img src=x onerror=alert(1)>'
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


def _tagged_document():
    """A document whose sentences carry known frames, one or several."""
    parts = [("Astana keeps every door open as Beijing comes calling.", ("multi_vector",)),
             ("The talks ran an hour over schedule.", ()),
             ("No foreign capital should decide what Kazakhstan builds.", ("sovereignty",)),
             ("Beijing says its loans come with no political demands attached.", ("no_conditions",)),
             ("We trade with everyone and take orders from no one.", ("multi_vector", "sovereignty"))]
    text, sentences = "", []
    for sentence, labels in parts:
        if text:
            text += " "
        start = len(text)
        text += sentence
        scores = {lab: 0.9 if lab in labels else 0.1 for lab in discourse.LABELS}
        sentences.append(Sentence(sentence, start, len(text), labels, scores))
    return Document(text, sentences)


@pytest.fixture(scope="module")
def report(tmp_path_factory, samples):
    folder = tmp_path_factory.mktemp("report")
    docs = [_tagged_document(), discourse.classify(HOSTILE), *discourse.classify_many([s.text for s in samples])]
    names = ["known frames", '<b>"hostile"</b>', *(s.id for s in samples)]
    path = folder / "report.html"
    path.write_text(report_html(docs, names, title="Browser test <script>"), encoding="utf-8")
    return path, len(docs)


def _chromium(profile, *args):
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)


def _page_errors(stderr):
    """Console messages, uncaught exceptions and blocked loads reported for the page."""
    return [line for line in stderr.splitlines()
            if re.search(r"CONSOLE|Uncaught|Refused to|Content.Security.Policy|ERR_FILE_NOT_FOUND", line)]


def _load_png(path):
    try:
        from PIL import Image
    except ImportError:
        mpimg = pytest.importorskip("matplotlib.image", reason="needs Pillow or matplotlib to read PNG")
        return (mpimg.imread(path)[..., :3] * 255).round().astype(np.uint8)
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def _hex(colour):
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])


@pytest.mark.parametrize("size", [(1200, 1600)])
def test_report_renders_as_a_non_blank_page_with_the_frame_colours(size, report, tmp_path):
    path, _ = report
    png = tmp_path / "report.png"
    run = _chromium(tmp_path / "profile", f"--screenshot={png}", f"--window-size={size[0]},{size[1]}",
                    path.as_uri())
    assert png.exists(), run.stderr[-2000:]
    assert not _page_errors(run.stderr)
    pixels = _load_png(png)
    assert pixels.shape[:2] == (size[1], size[0])
    assert pixels.std() > 20, "the screenshot is blank"
    flat = pixels.reshape(-1, 3).astype(int)
    for label, (accent, tint) in label_colours(discourse.LABELS).items():
        near = np.abs(flat - _hex(tint)).max(axis=1) <= 3
        assert near.sum() > 500, f"no {label} shading visible"
        near = np.abs(flat - _hex(accent)).max(axis=1) <= 3
        assert near.sum() > 50, f"no {label} accent visible"


@pytest.mark.parametrize("n_scripts", [0])
def test_report_dom_parses_with_text_escaped_and_no_scripts(n_scripts, report, tmp_path):
    path, n_docs = report
    run = _chromium(tmp_path / "profile", "--dump-dom", path.as_uri())
    dom = run.stdout
    assert dom.rstrip().endswith("</html>"), run.stderr[-2000:]
    assert not _page_errors(run.stderr)
    assert dom.count("<script") == n_scripts and "<img" not in dom
    assert dom.count('class="dc-doc"') == n_docs
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    assert "<title>Browser test &lt;script&gt;</title>" in dom
    assert "&lt;b&gt;\"hostile\"&lt;/b&gt;" in dom
