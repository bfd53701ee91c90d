"""The trained span filter: shipped weights are consistent and were not trained on the scored corpora."""

from __future__ import annotations

import math

from mapper.geoparse.filter_model import FEATURES, FilterModel, fit, span_features


def test_shipped_weights_load_and_were_trained_on_held_apart_corpora():
    model = FilterModel.default()
    assert model is not None and len(model.weights) == len(FEATURES)
    trained = set(model.trained_on.split(","))
    # GeoWebNews, TR-News and LGL are the scored corpora: they must never be used for training.
    assert trained and not trained & {"geowebnews", "trnews", "lgl"}
    assert 0.0 < model.threshold < 1.0


def test_fit_learns_a_separable_rule():
    X = [[float(i % 2), float(i % 3)] for i in range(60)]
    y = [i % 2 for i in range(60)]  # the label is the first feature
    w, b, mean, scale = fit(X, y, iterations=2000, lr=0.5)
    m = FilterModel(w, b, mean, scale)
    assert m.probability([1.0, 0.0]) > 0.9 and m.probability([0.0, 2.0]) < 0.1
    assert abs(w[0]) > 5 * abs(w[1])


def test_features_describe_the_span():
    class E:
        prior, kind, country_code = 0.9, "populated_place", "AF"

    text = "Fighting spread to Kunduz province on Monday."
    x = dict(zip(FEATURES, span_features(text, 19, 25, entries=(E(),), form="name", common=False, doc_count=2,
                                         lowercase_in_doc=False, country_share=1.0)))
    assert x["cue_before"] == 1.0 and x["type_word"] == 1.0 and x["sentence_start"] == 0.0
    assert x["prior"] == 0.9 and math.isclose(x["log_doc_count"], math.log(3))
