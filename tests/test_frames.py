"""Sentence tables (pandas): to_frame and classify_frame."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from hypothesis import given, settings, strategies as st  # noqa: E402

import discourse  # noqa: E402
from discourse.frames import classify_frame, to_frame  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent

TEXTS = [
    "Kazakhstan refuses to choose between Moscow and Beijing. The summit ended at noon.",
    "",
    "Мы никому не позволим диктовать нам внешнюю политику. Переговоры продлились три часа.",
    "   ",
    "Peking knüpft seine Kredite nicht an Reformauflagen.",
]
COLUMNS = ["doc", "sentence", "start", "end", "text",
           "multi_vector", "sovereignty", "no_conditions",
           "p_multi_vector", "p_sovereignty", "p_no_conditions"]
DTYPES = ["int64", "int64", "int64", "int64", "string"] + ["bool"] * 3 + ["float64"] * 3


def _tables():
    """Every way to build a table, each as a function of a list of texts."""
    return {
        "to_frame": lambda texts: to_frame(discourse.classify_many(texts)),
        "classify_frame": lambda texts: classify_frame(pd.DataFrame({"text": texts})),
    }


@pytest.mark.parametrize("build", _tables().values(), ids=list(_tables()))
@pytest.mark.parametrize("texts", [TEXTS, [], ["", " \n"]], ids=["texts", "none", "blank"])
def test_table_has_columns_and_dtypes_in_order(build, texts):
    df = build(texts)
    assert list(df.columns) == COLUMNS
    assert df.dtypes.astype(str).tolist() == DTYPES


@pytest.mark.parametrize("texts", [TEXTS])
def test_to_frame_rows_equal_classify_sentences(texts):
    docs = [discourse.classify(t) for t in texts]
    df = to_frame(docs)
    rows = [(i, k, s) for i, d in enumerate(docs) for k, s in enumerate(d.sentences)]
    assert len(df) == len(rows) > 0
    for (i, k, s), row in zip(rows, df.itertuples(index=False)):
        assert (row.doc, row.sentence, row.start, row.end, row.text) == (i, k, s.start, s.end, s.text)
        assert tuple(lab for lab in discourse.LABELS if getattr(row, lab)) == s.labels
        assert {lab: getattr(row, f"p_{lab}") for lab in discourse.LABELS} == s.scores


@pytest.mark.parametrize("texts", [TEXTS])
def test_classify_frame_equals_to_frame_of_classify_many(texts):
    expected = to_frame(discourse.classify_many(texts))
    pd.testing.assert_frame_equal(classify_frame(pd.DataFrame({"text": texts})), expected,
                                  check_exact=True)


@pytest.mark.parametrize("texts", [TEXTS])
def test_classify_frame_equals_classify_with_a_custom_model(texts, small_model):
    expected = to_frame(discourse.classify_many(texts, model=small_model))
    got = classify_frame(pd.DataFrame({"text": texts}), model=small_model)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    default = classify_frame(pd.DataFrame({"text": texts}))
    assert not np.allclose(got["p_sovereignty"], default["p_sovereignty"])


@pytest.mark.parametrize("index", [
    pd.Index(["a", "b", "c", "d", "e"], dtype=object, name="id"),
    pd.Index([50, 7, 7, 3, -1]),
    pd.date_range("2024-01-01", periods=5, freq="D", name="day"),
], ids=["strings", "ints-with-duplicates", "dates"])
def test_classify_frame_doc_is_the_index_label(index):
    df = pd.DataFrame({"text": TEXTS}, index=index)
    out = classify_frame(df)
    docs = discourse.classify_many(TEXTS)
    expected = [label for label, d in zip(index, docs) for _ in d.sentences]
    assert out["doc"].tolist() == expected
    assert out["doc"].dtype == index.dtype
    assert out.index.tolist() == expected and out.index.name == index.name


@pytest.mark.parametrize("column", ["body", 0])
def test_classify_frame_reads_the_named_column_and_joins_back(column):
    df = pd.DataFrame({column: TEXTS, "source": list("vwxyz")}, index=list("abcde"))
    out = classify_frame(df, text=column)
    assert set(out["doc"]) == {"a", "c", "e"}
    joined = out.join(df[["source"]])
    assert joined["source"].tolist() == [{"a": "v", "c": "x", "e": "z"}[d] for d in out["doc"]]


@pytest.mark.parametrize("blank", ["", " ", "\n\t ", "\u3000"])
def test_classify_frame_blank_rows_give_no_sentence_rows(blank):
    df = pd.DataFrame({"text": ["One. Two.", blank, "Three."]}, index=["x", "blank", "y"])
    out = classify_frame(df)
    assert out["doc"].tolist() == ["x", "x", "y"]
    assert out["sentence"].tolist() == [0, 1, 0]


@pytest.mark.parametrize("index", [pd.RangeIndex(0), pd.Index([], dtype=object, name="id")])
def test_classify_frame_of_an_empty_frame_is_an_empty_table(index):
    out = classify_frame(pd.DataFrame({"text": pd.Series([], dtype=object)}, index=index))
    assert len(out) == 0
    assert list(out.columns) == COLUMNS
    assert out.dtypes.astype(str).tolist()[1:] == DTYPES[1:]
    assert out["doc"].dtype == index.dtype and out.index.name == index.name


@pytest.mark.parametrize("value, type_name", [
    (None, "NoneType"), (float("nan"), r"float \(NaN\)"), (3, "int"), (2.5, "float"),
    (b"bytes", "bytes"), (pd.NA, "NAType"),
])
def test_classify_frame_non_text_cell_raises_type_error_naming_the_row(value, type_name):
    df = pd.DataFrame({"text": ["fine", value, "also fine"]}, index=["a", "bad", "c"], dtype=object)
    with pytest.raises(TypeError, match=rf"row 'bad' of column 'text': expected text \(str\), got {type_name}"):
        classify_frame(df)


@pytest.mark.parametrize("dtype", [
    "string",
    pytest.param("str", marks=pytest.mark.skipif(int(pd.__version__.split(".")[0]) < 3,
                                                 reason="the str dtype is pandas 3's")),
])
def test_classify_frame_missing_value_in_a_string_column_raises_type_error(dtype):
    df = pd.DataFrame({"text": pd.Series(["fine", None], dtype=dtype)})
    with pytest.raises(TypeError, match=r"row 1 of column 'text': expected text \(str\)"):
        classify_frame(df)


@pytest.mark.parametrize("text", ["body", "TEXT"])
def test_classify_frame_missing_column_names_it_and_lists_the_columns(text):
    df = pd.DataFrame({"text": ["x"], "lang": ["en"]})
    with pytest.raises(KeyError, match=rf"'{text}' not found.*\['text', 'lang'\]"):
        classify_frame(df, text=text)


@pytest.mark.parametrize("value", [TEXTS, "a text", {"text": TEXTS}, pd.Series(TEXTS), None],
                         ids=["list", "str", "dict", "series", "none"])
def test_classify_frame_rejects_what_is_not_a_dataframe(value):
    with pytest.raises(TypeError, match="classify_frame expects a pandas DataFrame"):
        classify_frame(value)


@pytest.mark.parametrize("options, error", [
    ({"batch_size": 0}, "batch_size"), ({"n_jobs": 0}, "n_jobs"), ({"model": "default"}, "model"),
    ({"text": ["text"]}, "column label"),
])
def test_classify_frame_rejects_bad_options(options, error):
    with pytest.raises((TypeError, ValueError), match=error):
        classify_frame(pd.DataFrame({"text": TEXTS}), **options)


@pytest.mark.parametrize("options", [{"batch_size": 1}, {"batch_size": 2, "n_jobs": 2}])
def test_classify_frame_results_do_not_depend_on_chunking(options):
    df = pd.DataFrame({"text": TEXTS * 3})
    pd.testing.assert_frame_equal(classify_frame(df, **options), classify_frame(df), check_exact=True)


@pytest.mark.parametrize("value, match", [
    (discourse.classify("One. Two."), "single Document"),
    ("One. Two.", "got str"),
    ([discourse.classify("One."), "Two."], r"docs\[1\]: expected a discourse.Document, got str"),
    (5, "got int"),
])
def test_to_frame_rejects_what_is_not_a_list_of_documents(value, match):
    with pytest.raises(TypeError, match=match):
        to_frame(value)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(TEXTS + ["Nobody will dictate our policy! Loans, no strings."]),
                max_size=8))
def test_classify_frame_and_to_frame_agree_on_any_list_of_texts(texts):
    got = classify_frame(pd.DataFrame({"text": texts}, dtype=object))
    expected = to_frame(discourse.classify_many(texts))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def _run_python(code):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


@pytest.mark.parametrize("module", ["pandas"])
def test_importing_discourse_does_not_import_pandas(module):
    result = _run_python(f"import sys, discourse; print({module!r} in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("module, extra", [("discourse.frames", "pandas")])
def test_frames_without_pandas_names_the_extra(module, extra):
    result = _run_python(f"import sys; sys.modules['pandas'] = None; import {module}")
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert f'pip install "discourse[{extra}]"' in result.stderr
