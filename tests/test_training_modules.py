"""``python -m training.evaluate`` and ``python -m training.train``: the repository's
shortcuts around ``discourse evaluate`` and ``discourse train``."""

from __future__ import annotations

import os

import pytest

from conftest import run_module

import discourse.cli
from training import evaluate as training_evaluate
from training import train as training_train


@pytest.fixture
def cli_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(discourse.cli, "main", lambda argv: calls.append(list(argv)) or 0)
    return calls


@pytest.mark.parametrize("extra", [[], ["--n-jobs", "2"], ["--no-curve"]])
def test_evaluate_without_a_folder_regenerates_the_committed_artefacts(cli_calls, extra):
    assert training_evaluate.main(extra) == 0
    (argv,) = cli_calls
    assert argv[:2] == ["evaluate", str(training_evaluate.DEFAULT_CORPUS)]
    if extra:
        assert argv[-len(extra):] == extra
    opts = dict(zip(argv[2::2], argv[3::2]))
    for flag, name in [("--card", "MODEL_CARD.md"), ("--plot", "learning_curve.png"),
                       ("--errors", "errors.jsonl"), ("--heldout", "heldout")]:
        assert os.path.exists(opts[flag]) and opts[flag].endswith(name), flag


@pytest.mark.parametrize("argv", [["some/folder"], ["some/folder", "--n-jobs", "2"],
                                  ["--n-jobs", "2", "some/folder", "--card", "card.md"]])
def test_evaluate_with_a_folder_is_plain_discourse_evaluate(cli_calls, argv):
    assert training_evaluate.main(argv) == 0
    assert cli_calls == [["evaluate", *argv]]


@pytest.mark.parametrize("argv, expected_tail", [
    ([], ["--out", str(training_train.DEFAULT_MODEL)]),
    (["--n-jobs", "2"], ["--n-jobs", "2", "--out", str(training_train.DEFAULT_MODEL)]),
    (["--out", "elsewhere.npz"], ["--out", "elsewhere.npz"]),
])
def test_train_writes_the_built_in_model_unless_told_otherwise(cli_calls, argv, expected_tail):
    assert training_train.main(argv) == 0
    assert cli_calls == [["train", str(training_train.DEFAULT_CORPUS), *expected_tail]]


def test_evaluate_module_reports_a_corpus_folder(small_corpus_dir, tmp_path):
    card = tmp_path / "card.md"
    proc = run_module("training.evaluate", str(small_corpus_dir), "--no-curve", "--card", str(card))
    assert proc.returncode == 0, proc.stderr
    for lang in ("en", "de", "ru"):
        assert any(line.startswith(lang) and "macro-F1" in line for line in proc.stdout.splitlines()), lang
    assert "## Out-of-fold results" in card.read_text(encoding="utf-8")


def test_evaluate_module_names_a_missing_folder(tmp_path):
    proc = run_module("training.evaluate", str(tmp_path / "nowhere"), "--no-curve")
    assert proc.returncode == 2
    assert "nowhere" in proc.stderr and "does not exist" in proc.stderr


def test_train_module_help_describes_the_train_command():
    proc = run_module("training.train", "--help")
    assert proc.returncode == 0
    assert "CORPUS_DIR" in proc.stdout and "--out" in proc.stdout


# --------------------------------------------------------------------------
# python -m training.ablations
# --------------------------------------------------------------------------

from training import ablations  # noqa: E402


@pytest.mark.parametrize("variant", ablations.VARIANTS)
def test_every_ablation_variant_cross_validates(small_corpus_dir, variant):
    row = ablations.cross_validate_variant(small_corpus_dir, variant, n_splits=3)
    assert row["variant"] == variant
    assert set(row["macro_f1"]) == {"en", "de", "ru"}
    assert all(0.0 <= v <= 1.0 for v in [*row["macro_f1"].values(), *row["none_fpr"].values()])
    assert row["standard_error"] >= 0.0


def test_baseline_ablation_reproduces_the_training_cross_validation(small_corpus_dir):
    from discourse.training import _corpus_arrays, cross_validate, load_settings

    docs, sentences, Y, langs = _corpus_arrays(small_corpus_dir)
    cv = cross_validate(docs, sentences, Y, langs, load_settings(small_corpus_dir), n_splits=3)
    logits, Y2, langs2, folds = ablations.oof_logits(small_corpus_dir, "baseline", n_splits=3)
    assert (Y2 == Y).all() and (langs2 == langs).all() and (folds == cv["folds"]).all()
    assert abs(logits - cv["logits"]).max() < 1e-9


@pytest.mark.parametrize("variant", [v for v in ablations.VARIANTS if v != "baseline"])
def test_each_ablation_variant_changes_the_predictions(small_corpus_dir, variant):
    base, *_ = ablations.oof_logits(small_corpus_dir, "baseline", n_splits=3)
    other, *_ = ablations.oof_logits(small_corpus_dir, variant, n_splits=3)
    assert abs(other - base).max() > 1e-6


@pytest.mark.parametrize("label, lang, sentence", [
    ("multi_vector", 0, "Astana will not choose between Moscow and Beijing."),
    ("sovereignty", 0, "Nobody will dictate our foreign policy."),
    ("no_conditions", 0, "The loans come with no political strings."),
    ("multi_vector", 1, "Das Land betreibt eine Mehrvektorenpolitik."),
    ("sovereignty", 2, "Мы не допустим вмешательства во внутренние дела."),
    ("no_conditions", 2, "Кредиты выдаются без политических условий."),
])
def test_cue_patterns_match_codebook_cues(label, lang, sentence):
    import re

    assert re.search(ablations.CUE_PATTERNS[label][lang], sentence.lower())


def test_cue_patterns_skip_financial_sovereign():
    import re

    assert not re.search(ablations.CUE_PATTERNS["sovereignty"][0], "the sovereign wealth fund bought bonds")


def test_ablations_module_rejects_an_unknown_variant():
    proc = run_module("training.ablations", "--variants", "baseline,magic")
    assert proc.returncode == 2 and "magic" in proc.stderr


def test_ablations_document_holds_the_table():
    rows = [{"variant": "baseline", "macro_f1": {"en": 0.8, "de": 0.9}, "none_fpr": {"en": 0.05, "de": 0.02},
             "mean_macro_f1": 0.85, "standard_error": 0.01},
            {"variant": "fold", "macro_f1": {"en": 0.81, "de": 0.91}, "none_fpr": {"en": 0.04, "de": 0.02},
             "mean_macro_f1": 0.86, "standard_error": 0.01}]
    doc = ablations.format_document(rows)
    assert doc.startswith("# Feature ablations")
    assert "| fold | 0.810 | 0.910 | 0.8600 | +1.0 | 4.0% | 2.0% |" in doc
