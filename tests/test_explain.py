"""discourse.explain: per-feature contributions that add up to the logit."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import discourse
from discourse.cli import main
from discourse.explain import Explanation, Feature, SentenceExplanation, explain

SENTENCES = [
    "Kazakhstan refuses to choose between Moscow and Beijing.",
    "No foreign capital, however friendly, should get to decide what Kazakhstan builds.",
    "Beijing says its loans come with no political demands attached.",
    "The talks ran nearly an hour over schedule.",
    "Sein Land wolle mit Russland, China, Europa und den USA gleichermaßen gute Beziehungen pflegen.",
    "Niemand, fügte er hinzu, könne Kasachstan vorschreiben, mit wem es Handel treibe.",
    "Peking knüpft seine Kredite nicht an Reformauflagen.",
    "Мы никому не позволим диктовать нам внешнюю политику.",
    "Инвестиции поступают без каких-либо политических требований.",
    "Страна выстраивает равноудалённые отношения с Москвой, Пекином и Вашингтоном.",
    "",
    "İSTANBUL ΣΟΦΙΑ straße — 42%!",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_explain_contributions_sum_to_the_scorer_logit(sentence, model):
    ex = explain(sentence)
    logits = model.scorer.decision_function([sentence])[0]
    probs = discourse.score([sentence])[0]
    assert list(ex) == list(model.labels)
    for k, label in enumerate(model.labels):
        e = ex[label]
        total = math.fsum(f.contribution for f in e.all_features)
        assert abs(e.intercept + total - e.logit) < 1e-9
        assert abs(e.total - total) < 1e-12
        assert abs(e.logit - logits[k]) < 1e-9
        assert abs(e.probability - probs[k]) < 1e-12
        assert e.intercept == model.intercept_[k]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=160))
def test_explain_sums_to_the_logit_for_any_text(text):
    model = discourse.load_model()
    ex = explain(text)
    logits = model.scorer.decision_function([text])[0]
    for k, label in enumerate(model.labels):
        e = ex[label]
        assert abs(e.intercept + math.fsum(f.contribution for f in e.all_features) - e.logit) < 1e-9
        assert abs(e.logit - logits[k]) < 1e-9
        for a, b, c, terms in ex.evidence(label, top=5):
            assert 0 <= a < b <= len(text)
            assert terms


@pytest.mark.parametrize("sentence", SENTENCES[:10])
@pytest.mark.parametrize("top", [0, 3, 10])
def test_explain_top_features_are_the_largest_sorted_descending(sentence, top):
    for e in explain(sentence, top=top).values():
        contributions = [f.contribution for f in e.features]
        assert contributions == sorted(contributions, reverse=True)
        every = [f.contribution for f in e.all_features]
        assert every == sorted(every, reverse=True)
        assert e.features == e.all_features[:top]


@pytest.mark.parametrize("sentence", SENTENCES[:10])
def test_explain_features_are_vocabulary_terms_with_weight_times_value(sentence, model):
    words, chars = set(model.word_terms_), set(model.char_terms_)
    for e in explain(sentence).values():
        assert e.all_features, "every test sentence has some known n-gram"
        for f in e.all_features:
            assert isinstance(f, Feature)
            assert f.term in (words if f.kind == "word" else chars)
            assert f.value > 0
            assert f.contribution == pytest.approx(f.weight * f.value, abs=1e-15)


@pytest.mark.parametrize("sentence", [s for s in SENTENCES if s])
def test_explain_agrees_with_classify_on_tags(sentence):
    doc = discourse.classify(sentence)
    for s in doc.sentences:
        ex = explain(s.text)
        assert ex.labels == s.labels
        assert all(ex[lab].tagged == (lab in s.labels) for lab in ex)


@pytest.mark.parametrize("sentence", ["We decide our own alliances and answer to no foreign capital."])
def test_explain_takes_a_model(sentence, small_model):
    ex = explain(sentence, small_model)
    logits = small_model.scorer.decision_function([sentence])[0]
    assert [ex[lab].logit for lab in small_model.labels] == pytest.approx(logits.tolist(), abs=1e-9)


@pytest.mark.parametrize("bad, name", [(None, "NoneType"), (b"bytes", "bytes"), (3, "int"),
                                       (float("nan"), "NaN"), (["a list"], "list")])
def test_explain_rejects_non_text_naming_the_type(bad, name):
    with pytest.raises(TypeError, match=name):
        explain(bad)


@pytest.mark.parametrize("top", [-1, 1.5, True, "3"])
def test_explain_rejects_a_bad_top(top):
    with pytest.raises(ValueError, match="top"):
        explain("A sentence.", top=top)


@pytest.mark.parametrize("sentence", ["Kazakhstan refuses to choose between Moscow and Beijing."])
def test_explain_evidence_maps_to_words_of_the_sentence(sentence):
    ex = explain(sentence)
    spans = ex.evidence("multi_vector", top=3)
    assert len(spans) == 3
    assert [c for _, _, c, _ in spans] == sorted((c for _, _, c, _ in spans), reverse=True)
    words = {sentence[a:b] for a, b, _, _ in spans}
    assert words <= {"choose", "between", "Moscow", "Beijing", "to choose", "refuses", "Kazakhstan"}
    assert all(c > 0 for _, _, c, _ in spans)


@pytest.mark.parametrize("sentence", ['He said "<script>alert(1)</script>" & left.'])
def test_explanation_reprs_are_readable_and_html_is_escaped(sentence):
    ex = explain(sentence, top=3)
    assert isinstance(ex, SentenceExplanation) and isinstance(ex["sovereignty"], Explanation)
    text = repr(ex)
    assert text.splitlines()[0].startswith("<SentenceExplanation")
    assert all(label in text for label in discourse.LABELS)
    assert "logit" in repr(ex["sovereignty"]) and "intercept" in repr(ex["sovereignty"])
    for page in (ex._repr_html_(), ex["sovereignty"]._repr_html_()):
        assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ex._repr_html_()
    assert "&quot;" in ex._repr_html_()


@pytest.mark.parametrize("sentence", SENTENCES[:2])
def test_explanation_to_dict_is_json_ready(sentence):
    for e in explain(sentence, top=4).values():
        d = json.loads(json.dumps(e.to_dict()))
        assert d["label"] == e.label and len(d["features"]) == 4
        assert set(d["features"][0]) == {"term", "kind", "value", "weight", "contribution"}
        assert d["logit"] == e.logit


# -- the command line ---------------------------------------------------------------

ARTICLE = ("Kazakhstan refuses to choose between Moscow and Beijing. The summit ended at noon. "
           "Beijing says its loans come with no political demands attached.")


@pytest.mark.parametrize("fmt", ["jsonl"])
def test_cli_explain_jsonl_adds_top_features_per_tagged_label(fmt, tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert main(["classify", str(path), "--format", fmt, "--explain"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert set(row["explain"]) == set(row["labels"])
        for label, e in row["explain"].items():
            assert e["tagged"] and e["label"] == label
            c = [f["contribution"] for f in e["features"]]
            assert c == sorted(c, reverse=True) and len(c) == 10
            assert e["logit"] == pytest.approx(math.log(row["scores"][label] / (1 - row["scores"][label])))
    assert any(row["explain"] for row in rows)


@pytest.mark.parametrize("fmt", ["table"])
def test_cli_explain_table_lists_features_after_the_table(fmt, tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert main(["classify", str(path), "--format", fmt, "--explain"]) == 0
    out = capsys.readouterr().out
    assert "-- why" in out
    why = out.split("-- why", 1)[1]
    assert "multi_vector p=" in why and "+0." in why
    assert main(["classify", str(path), "--format", fmt]) == 0
    assert "-- why" not in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["csv"])
def test_cli_explain_refuses_csv(fmt, tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert main(["classify", str(path), "--format", fmt, "--explain"]) == 2
    assert "--explain" in capsys.readouterr().err


def test_explain_batch_matches_single_calls(model):
    from discourse.explain import _explain_batch

    batch = _explain_batch(SENTENCES, model, top=5)
    for sentence, ex in zip(SENTENCES, batch):
        one = explain(sentence, top=5)
        for label in model.labels:
            assert ex[label].features == one[label].features
            assert np.isclose(ex[label].logit, one[label].logit, rtol=0, atol=1e-12)
