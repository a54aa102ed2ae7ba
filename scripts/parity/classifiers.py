"""Reference values for Ouro's classifiers (Tests/OuroTests/Classify/ClassifierParityTests.swift).

Texts are lowercase words separated by single spaces, so Ouro's word tokenizer and str.split()
give the same tokens; features are unigrams + bigrams of those tokens (scikit-learn analyzer below).
Writes, for each case, the texts, labels and scikit-learn's predict_proba on held-out texts.
  python classifiers.py OUT.json
"""
import json
import random
import sys

import numpy as np
import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB


def analyzer(text):
    toks = text.split()
    return toks + [a + " " + b for a, b in zip(toks, toks[1:])]


def corpus(seed, classes, n):
    rng = random.Random(seed)
    common = ["the", "a", "of", "and", "to", "we", "our", "is", "in", "it"]
    topical = {c: [f"{c[:3]}{i}" for i in range(12)] for c in classes}
    texts, labels = [], []
    for k in range(n):
        c = classes[k % len(classes)]
        words = []
        for _ in range(rng.randint(4, 14)):
            r = rng.random()
            if r < 0.45:
                words.append(rng.choice(common))
            elif r < 0.8:
                words.append(rng.choice(topical[c]))
            else:
                words.append(rng.choice(topical[rng.choice(classes)]))
        texts.append(" ".join(words))
        labels.append(c)
    return texts, labels


def main(out):
    cases = []
    specs = [
        ("nb_counts_binary", "naive_bayes", False, 1.0, 1.0, ["left", "right"]),
        ("nb_tfidf_three", "naive_bayes", True, 0.5, 1.0, ["alpha", "beta", "gamma"]),
        ("logistic_counts_binary", "logistic", False, 1.0, 1.0, ["left", "right"]),
        ("logistic_tfidf_binary", "logistic", True, 1.0, 4.0, ["left", "right"]),
        ("logistic_counts_three", "logistic", False, 1.0, 0.5, ["alpha", "beta", "gamma"]),
    ]
    for i, (name, kind, tfidf, alpha, c, classes) in enumerate(specs):
        train_x, train_y = corpus(100 + i, classes, 60)
        test_x, _ = corpus(200 + i, classes, 15)
        vec = (TfidfVectorizer if tfidf else CountVectorizer)(analyzer=analyzer)
        xtr = vec.fit_transform(train_x)
        xte = vec.transform(test_x)
        if kind == "naive_bayes":
            model = MultinomialNB(alpha=alpha)
        else:
            model = LogisticRegression(C=c, solver="lbfgs", tol=1e-12, max_iter=100000)
        model.fit(xtr, train_y)
        proba = model.predict_proba(xte)
        cases.append({
            "name": name, "kind": kind, "tfidf": tfidf, "alpha": alpha, "c": c,
            "train_texts": train_x, "train_labels": train_y, "test_texts": test_x,
            "classes": [str(x) for x in model.classes_], "proba": proba.tolist(),
        })
    with open(out, "w") as f:
        json.dump({"sklearn": sklearn.__version__, "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
