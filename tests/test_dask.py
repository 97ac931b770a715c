"""Dask integration, on a real two-process LocalCluster: equal to the pandas results."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
db = pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")

import discourse  # noqa: E402
import discourse.dask  # noqa: E402
from discourse.frames import classify_frame  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BLANKS = ["", "  ", "\n\t"]


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def texts(corpus_docs):
    """Corpus documents with a blank text after every tenth one."""
    out = []
    for i, d in enumerate(corpus_docs[:200]):
        out.append(d.text)
        if i % 10 == 0:
            out.append(BLANKS[i % 3])
    return out


@pytest.fixture(scope="module")
def sentences(corpus_sentences):
    return list(corpus_sentences[:1500])


@pytest.fixture
def custom_model(tmp_path):
    """A model that is not the package's default object: the default, saved and loaded again."""
    path = tmp_path / "model.npz"
    discourse.load_model().save(path)
    return discourse.load_model(path)


def _frame(texts, index_kind):
    index = {"range": pd.RangeIndex(len(texts)),
             "strings": pd.Index([f"row{i:04d}" for i in range(len(texts))], name="id")}[index_kind]
    return pd.DataFrame({"text": texts, "n": np.arange(len(texts))}, index=index)


def _model_nodes(collection):
    """How many nodes of the task graph hold a Model."""
    graph = dict(collection.__dask_graph__())
    return sum(isinstance(v, discourse.Model) or isinstance(getattr(v, "value", None), discourse.Model)
               for v in graph.values())


@pytest.mark.parametrize("index_kind", ["range", "strings"])
@pytest.mark.parametrize("npartitions", [1, 5])
def test_dask_classify_frame_equals_pandas_row_for_row(client, texts, npartitions, index_kind):
    ddf = dd.from_pandas(_frame(texts, index_kind), npartitions=npartitions)
    out = discourse.dask.classify_frame(ddf)
    got = out.compute()
    pd.testing.assert_frame_equal(got, classify_frame(ddf.compute()))
    assert out.npartitions == npartitions and out.divisions == ddf.divisions


@pytest.mark.parametrize("npartitions", [3])
def test_dask_classify_frame_meta_matches_the_computed_dtypes(client, texts, npartitions):
    out = discourse.dask.classify_frame(dd.from_pandas(_frame(texts, "strings"), npartitions=npartitions))
    got = out.compute()
    assert list(out._meta.columns) == list(got.columns)
    assert out._meta.dtypes.equals(got.dtypes)
    assert out._meta.index.dtype == got.index.dtype and out._meta.index.name == got.index.name


@pytest.mark.parametrize("function", ["classify_frame", "score_series"])
def test_dask_functions_build_the_graph_without_running_the_model(function, texts, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the model ran while building the graph")

    monkeypatch.setattr("discourse.frames._segment_and_score", fail)
    monkeypatch.setattr("discourse.dask.score", fail)
    ddf = dd.from_pandas(_frame(texts, "range"), npartitions=2)
    arg = ddf if function == "classify_frame" else ddf["text"]
    getattr(discourse.dask, function)(arg)


@pytest.mark.parametrize("parts", [
    [["One. Two.", "Three."], [], ["Four."]],
    [["One. Two."], BLANKS, ["Three."]],
    [BLANKS, []],
], ids=["empty-partition", "blank-partition", "nothing-to-tag"])
def test_dask_classify_frame_handles_empty_and_blank_partitions(client, parts):
    frames, start = [], 0
    for texts in parts:
        index = pd.RangeIndex(start, start + len(texts))
        frames.append(pd.DataFrame({"text": pd.Series(texts, dtype=object, index=index)}))
        start += len(texts)
    ddf = dd.from_delayed([dask.delayed(f) for f in frames], meta=frames[0].iloc[:0], verify_meta=False)
    out = discourse.dask.classify_frame(ddf)
    assert out.npartitions == len(parts)
    got = out.compute()
    pd.testing.assert_frame_equal(got, classify_frame(ddf.compute()))
    assert out._meta.dtypes.equals(got.dtypes)


@pytest.mark.parametrize("value, type_name, convert_string", [
    (None, "NAType", True), (float("nan"), "NAType", True),
    (None, "NoneType", False), (float("nan"), r"float \(NaN\)", False),
    (3, "int", False), (b"bytes", "bytes", False),
])
def test_dask_classify_frame_non_text_cell_raises_type_error_naming_the_row(
        client, value, type_name, convert_string):
    # Dask converts object columns to strings on reading unless told not to:
    # missing values arrive as <NA>, and numbers or bytes as their text.
    texts = ["One.", "Two.", "Three.", value, "Five."]
    pdf = pd.DataFrame({"text": texts}, index=[f"r{i}" for i in range(5)], dtype=object)
    with dask.config.set({"dataframe.convert-string": convert_string}):
        ddf = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(TypeError, match=rf"row 'r3' of column 'text': expected text \(str\), got {type_name}"):
        discourse.dask.classify_frame(ddf).compute()


@pytest.mark.parametrize("npartitions", [3])
def test_dask_score_series_equals_score(client, sentences, npartitions):
    series = pd.Series(sentences, index=[f"s{i:05d}" for i in range(len(sentences))], name="sentence")
    out = discourse.dask.score_series(dd.from_pandas(series, npartitions=npartitions))
    got = out.compute()
    assert list(got.columns) == [f"p_{lab}" for lab in discourse.LABELS]
    assert (got.dtypes == np.float64).all() and out._meta.dtypes.equals(got.dtypes)
    assert got.index.equals(series.index)
    np.testing.assert_allclose(got.to_numpy(), discourse.score(sentences), rtol=0, atol=1e-12)


@pytest.mark.parametrize("npartitions", [1, 4])
def test_dask_score_bag_equals_score(client, sentences, npartitions):
    out = discourse.dask.score_bag(db.from_sequence(sentences, npartitions=npartitions))
    got = out.compute()
    assert got.shape == (len(sentences), len(discourse.LABELS)) and got.dtype == np.float64
    np.testing.assert_allclose(got, discourse.score(sentences), rtol=0, atol=1e-12)


@pytest.mark.parametrize("items", [[], ["One.", None]], ids=["empty", "none"])
def test_dask_score_bag_of_nothing_or_a_non_text_item(client, items):
    out = discourse.dask.score_bag(db.from_sequence(items, npartitions=1))
    if not items:
        assert out.compute().shape == (0, len(discourse.LABELS))
        return
    with pytest.raises(TypeError, match=r"partition 0, item 1\): expected text \(str\), got NoneType"):
        out.compute()


def _build(function, texts, **options):
    ddf = dd.from_pandas(_frame(texts, "range"), npartitions=4)
    arg = {"classify_frame": ddf, "score_series": ddf["text"],
           "score_bag": db.from_sequence(texts, npartitions=4)}[function]
    return getattr(discourse.dask, function)(arg, **options)


@pytest.mark.parametrize("function", ["classify_frame", "score_series", "score_bag"])
def test_dask_without_a_client_puts_a_custom_model_in_one_graph_node(function, texts, custom_model,
                                                                      monkeypatch):
    monkeypatch.setattr(discourse.dask, "_active_client", lambda: None)
    assert _model_nodes(_build(function, texts, model=custom_model)) == 1
    assert _model_nodes(_build(function, texts)) == 0
    assert _model_nodes(_build(function, texts, model=discourse.load_model())) == 0


@pytest.mark.parametrize("function", ["classify_frame", "score_series", "score_bag"])
def test_dask_with_a_client_scatters_a_custom_model_once_to_every_worker(client, function, texts,
                                                                         custom_model):
    before = set(client.who_has())
    out = _build(function, texts, model=custom_model)
    assert _model_nodes(out) == 0
    scattered = {key: where for key, where in client.who_has().items() if key not in before}
    assert len(scattered) == 1
    assert set(next(iter(scattered.values()))) == set(client.scheduler_info()["workers"])
    out.compute()
    assert _model_nodes(_build(function, texts)) == 0


def test_dask_classify_frame_with_a_custom_model_equals_pandas(client, texts, custom_model, small_model):
    ddf = dd.from_pandas(_frame(texts, "strings"), npartitions=4)
    pdf = ddf.compute()
    for model in (custom_model, small_model):
        got = discourse.dask.classify_frame(ddf, model=model).compute()
        pd.testing.assert_frame_equal(got, classify_frame(pdf, model=model))
    # the small model really ran on the workers: it scores unlike the default
    assert not np.allclose(got["p_sovereignty"], classify_frame(pdf)["p_sovereignty"])


@pytest.mark.parametrize("function, value, error, match", [
    ("classify_frame", pd.DataFrame({"text": ["x"]}), TypeError, "got DataFrame; use discourse.classify_frame"),
    ("classify_frame", dd.from_pandas(pd.DataFrame({"body": ["x"], "lang": ["en"]}), npartitions=1),
     KeyError, r"'text' not found.*\['body', 'lang'\]"),
    ("score_series", dd.from_pandas(pd.DataFrame({"text": ["x"]}), npartitions=1),
     TypeError, r"pass one column, ddf\[column\]"),
    ("score_bag", ["x"], TypeError, "expects a Dask Bag"),
])
def test_dask_functions_reject_wrong_input_when_building(function, value, error, match):
    with pytest.raises(error, match=match):
        getattr(discourse.dask, function)(value)


@pytest.mark.parametrize("blocked, extra", [("dask", "dask"), ("pandas", "dask")])
def test_dask_module_without_the_extra_names_it(blocked, extra):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    code = f"import sys; sys.modules[{blocked!r}] = None; import discourse.dask"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=120)
    assert result.returncode != 0
    assert f'pip install "discourse[{extra}]"' in result.stderr


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")  # inside dask's parquet
@pytest.mark.parametrize("npartitions", [2])
def test_dask_classify_frame_writes_to_parquet_and_reads_back_equal(client, texts, npartitions, tmp_path):
    ddf = dd.from_pandas(_frame(texts[:40], "strings"), npartitions=npartitions)
    out = discourse.dask.classify_frame(ddf)
    out.to_parquet(tmp_path / "sentences")
    back = dd.read_parquet(tmp_path / "sentences").compute()
    pd.testing.assert_frame_equal(back, out.compute(), check_index_type=False)


@pytest.mark.parametrize("fill", ["frame-dict", "column"])
def test_dask_classify_frame_sees_missing_texts_filled_as_blank(fill):
    pdf = pd.DataFrame({"text": ["One. Two.", None, "Three."], "n": [1, 2, 3]}, dtype=object)
    ddf = dd.from_pandas(pdf, npartitions=2)
    if fill == "frame-dict":
        ddf = ddf.fillna({"text": ""})
    else:
        ddf["text"] = ddf["text"].fillna("")
    got = discourse.dask.classify_frame(ddf).compute(scheduler="sync")
    assert got["doc"].tolist() == [0, 0, 2]
