"""The command line: classify (table, jsonl, csv), demo, train, and its errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

import discourse
from discourse.cli import main

TEXT = "Kazakhstan refuses to choose between Moscow and Beijing. The summit ended at noon."


def run(args, stdin=None):
    return subprocess.run([sys.executable, "-m", "discourse", *args], input=stdin,
                          capture_output=True, timeout=120)


@pytest.mark.parametrize("fmt", ["jsonl"])
def test_classify_stdin_jsonl_prints_one_object_per_sentence(fmt):
    r = run(["classify", "-", "--format", fmt], stdin=TEXT.encode())
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert [row["text"] for row in rows] == [TEXT[:56], TEXT[57:]]
    for i, row in enumerate(rows):
        assert list(row) == ["file", "sentence", "start", "end", "text", "labels", "scores"]
        assert row["file"] == "-" and row["sentence"] == i
        assert TEXT[row["start"]:row["end"]] == row["text"]
        assert set(row["scores"]) == set(discourse.LABELS)
    doc = discourse.classify(TEXT)
    assert [r["labels"] for r in rows] == [list(s.labels) for s in doc.sentences]


def test_classify_files_csv_has_contract_columns(tmp_path, capsys):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(TEXT, encoding="utf-8")
    b.write_text("Второе. Третье предложение!", encoding="utf-8")
    assert main(["classify", str(a), str(b), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["file", "sentence", "start", "end", "text", *discourse.LABELS,
                             *(f"p_{lab}" for lab in discourse.LABELS)]
    assert [r["file"] for r in rows] == [str(a), str(a), str(b), str(b)]
    assert [r["sentence"] for r in rows] == ["0", "1", "0", "1"]


def test_classify_table_is_readable(tmp_path, capsys):
    a = tmp_path / "a.txt"
    a.write_text(TEXT, encoding="utf-8")
    assert main(["classify", str(a)]) == 0
    out = capsys.readouterr().out
    assert f"== {a} (2 sentences) ==" in out
    assert "The summit ended at noon." in out


def test_classify_output_file_is_written(tmp_path):
    a, out = tmp_path / "a.txt", tmp_path / "out.jsonl"
    a.write_text(TEXT, encoding="utf-8")
    assert main(["classify", str(a), "--format", "jsonl", "-o", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert not list(tmp_path.glob("*.tmp-*"))


def test_missing_file_exits_2_with_one_line(tmp_path):
    r = run(["classify", str(tmp_path / "missing.txt")])
    assert r.returncode == 2
    assert r.stderr.decode().strip().splitlines() == [f"discourse: error: {tmp_path / 'missing.txt'}: no such file"]


def test_undecodable_file_names_the_byte_offset(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Grüße aus Berlin.".encode("latin-1"))
    r = run(["classify", str(bad)])
    assert r.returncode == 2
    assert "latin1.txt: not valid UTF-8 at byte offset 2" in r.stderr.decode()


@pytest.mark.parametrize("args", [["classify", "-", "--format", "xml"], ["frobnicate"], []])
def test_bad_options_exit_2(args):
    r = run(args, stdin=b"")
    assert r.returncode == 2
    assert r.stderr


def test_broken_model_file_exits_2_naming_it(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    r = run(["classify", "-", "--model", str(bad)], stdin=TEXT.encode())
    assert r.returncode == 2 and "bad.npz" in r.stderr.decode()


def test_demo_tags_every_sample_article(capsys, samples):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for s in samples:
        assert s.id in out
    assert "sentences tagged exactly as the annotators did" in out


def test_train_rejects_a_malformed_corpus(tmp_path):
    (tmp_path / "en.jsonl").write_text('{"doc_id": "x", "sentences": [{"text": "A.", "labels": ["bogus"]}]}\n')
    r = run(["train", str(tmp_path), "--out", str(tmp_path / "m.npz")])
    assert r.returncode == 2
    assert "en.jsonl:1" in r.stderr.decode() and "bogus" in r.stderr.decode()


@pytest.mark.parametrize("sub", ["classify", "demo", "train", "evaluate", "report"])
def test_every_subcommand_has_help(sub):
    r = run([sub, "--help"])
    assert r.returncode == 0 and b"usage: discourse" in r.stdout


def test_report_prints_every_language(capsys):
    from conftest import CORPUS

    assert main(["report", str(CORPUS)]) == 0
    out = capsys.readouterr().out
    assert "en" in out and "de" in out and "ru" in out and "none share" in out


def test_evaluate_writes_card_plot_and_errors(small_corpus_dir, tmp_path, capsys):
    card, png, errs = tmp_path / "CARD.md", tmp_path / "curve.png", tmp_path / "errors.jsonl"
    assert main(["evaluate", str(small_corpus_dir), "--card", str(card), "--plot", str(png),
                 "--errors", str(errs), "--heldout", str(small_corpus_dir)]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "held-out set" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = card.read_text(encoding="utf-8")
    assert "## Held-out set (never trained on)" in text and "![learning curve](curve.png)" in text
    assert all(json.loads(line)["doc_id"] for line in errs.read_text(encoding="utf-8").splitlines())
