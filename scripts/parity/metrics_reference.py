"""Reference values for Ouro's metrics, from pinned PyPI packages (see metrics-requirements.txt).

Usage: metrics_reference.py SDIST_DIR OUT_DIR
  SDIST_DIR: the extracted vaderSentiment-3.3.2 sdist (holds additional_resources/ and vaderSentiment/).
Writes into OUT_DIR (Tests/Fixtures/parity/metrics):
  vader_tweets.tsv  id, neg, neu, pos, compound of polarity_scores for all 4,200 ground-truth tweets
  vader_cases.json  the same for hand-written edge cases (rules, emoji, Unicode)
  selfbleu.json     Self-BLEU (the study's sacreBLEU loop) on tweet ranges and small cases; 13a tokens
  lexical.json      lex_div mattr/mtld/hdd/ttr on token lists built from tweet ranges; zlib sizes
"""
import hashlib, io, json, os, sys, tarfile, zlib

import sacrebleu
from sacrebleu.metrics import BLEU
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
import vaderSentiment.vaderSentiment as vs
from lexical_diversity import lex_div

sdist, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
assert sacrebleu.__version__ == "2.5.1", sacrebleu.__version__

# The installed vaderSentiment must carry the same lexicons as the pinned sdist the Swift side reads.
pkg_dir = os.path.dirname(vs.__file__)
for name in ("vader_lexicon.txt", "emoji_utf8_lexicon.txt"):
    a = open(os.path.join(pkg_dir, name), "rb").read()
    b = open(os.path.join(sdist, "vaderSentiment", name), "rb").read()
    assert a == b, f"{name} differs between the installed package and the sdist"


def tweets():
    with tarfile.open(os.path.join(sdist, "additional_resources", "hutto_ICWSM_2014.tar.gz")) as tar:
        data = tar.extractfile("hutto_ICWSM_2014/tweets_GroundTruth.txt").read().decode("utf-8")
    rows = []
    for line in data.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if not line:
            continue
        ident, rating, text = line.split("\t", 2)
        rows.append((ident, text))
    return rows


rows = tweets()
assert len(rows) == 4200, len(rows)
texts = [t for _, t in rows]

# --- VADER -------------------------------------------------------------------------------------
analyzer = vs.SentimentIntensityAnalyzer()
with open(os.path.join(out, "vader_tweets.tsv"), "w", encoding="utf-8") as f:
    f.write("# vaderSentiment 3.3.2 polarity_scores of tweets_GroundTruth.txt (hutto_ICWSM_2014): id neg neu pos compound\n")
    for ident, text in rows:
        s = analyzer.polarity_scores(text)
        f.write(f"{ident}\t{s['neg']!r}\t{s['neu']!r}\t{s['pos']!r}\t{s['compound']!r}\n")

cases = [
    "VADER is smart, handsome, and funny.", "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.", "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!", "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.", "The book was good.", "At least it isn't a horrible book.",
    "The book was only kind of good.", "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!", "Today only kinda sux! But I'll get by, lol", "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁", "Not bad at all",
    "Sentiment analysis has never been good.", "Sentiment analysis has never been this good!",
    "Most automated sentiment analysis tools are shit.", "With VADER, sentiment analysis is the shit!",
    "Other sentiment analysis tools can be quite bad.", "On the other hand, VADER is quite bad ass",
    "VADER is such a badass!", "Without a doubt, excellent idea.",
    "Roger Dodger is one of the most compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Not such a badass after all.", "Without a doubt, an excellent idea.",
    "no good", "no no good", "no, or good", "no problem or nor good", "good no", "I have no complaints",
    "never so good", "never this bad", "it is so this good", "without any doubt good",
    "good good but bad bad", "bad but good but bad", "good but", "but", "BUT it was GOOD",
    "the least good thing", "at least good", "very least good", "least",
    "kind of good", "sort of bad", "KIND of good", "just enough good", "it was kind of",
    "yeah right good", "kiss of death", "to die for", "a beating heart", "the bomb", "the shit is bad",
    "bus stop", "bad ass movie", "good!!", "good!!!!!!", "bad??", "bad???", "bad????", "ok?", "?!?!",
    "GOOD", "GOOD day", "good DAY", "VERY good", "very GOOD", "EXTREMELY bad day", "bad", "",
    "   ", "!!!", ":)", ":-)", ":(", "<3", "(:", "...good...", "'good'", "\"bad\"", "good.bad",
    "I ❤️ you", "I ❤ you", "😂😂😂", "😀happy", "sad😢", "🇺🇸 flag", "👍🏽 ok", "x😀y😀z",
    "ΣΟΦΟΣ good", "İstanbul is GREAT", "ÉNORME bad", "good\u00a0day bad", "good\u2028bad", "good\x1cbad",
    "\tgood\n", "don't like it", "dont like", "aint good", "not not good", "hardly good",
    "barely good", "uh-uh good", "cannot be better", "nope good", "This isn't very good but it's not bad",
    "lol lmao rofl", "The food here is AWFUL!!! but service is ok", "👎", "💯 percent",
]
with open(os.path.join(out, "vader_cases.json"), "w", encoding="utf-8") as f:
    json.dump([{"text": t, **analyzer.polarity_scores(t)} for t in cases], f, ensure_ascii=False, indent=0)

# --- Self-BLEU ---------------------------------------------------------------------------------
def self_bleu_scores(texts):
    texts = [t.strip() for t in texts if t.strip()]
    bleu = BLEU(effective_order=True)
    return [bleu.sentence_score(t, texts[:i] + texts[i + 1:]).score / 100 for i, t in enumerate(texts)]


corpora = []
for start, count in [(0, 400), (2000, 300)]:
    s = self_bleu_scores(texts[start:start + count])
    corpora.append({"tweets_start": start, "tweets_count": count, "self_bleu": sum(s) / len(s), "scores": s})

small = [
    ["the cat sat on the mat", "the cat sat on the mat", "a dog ran"],
    ["a b c d e", "a b c d e f g", "x"],
    ["1,000.50 dollars - 3-4 times", "&quot;quoted&quot; &amp; &lt;tag&gt;", "it's a-b <skipped> end -\nline"],
    ["  padded  ", "", "   ", "padded", "padded again"],
    ["é. .é, über-cool 😀. «quotes»", "tab\tseparated\u00a0nbsp\u2028line", "ΣΟΦΟΣ. σοφός,"],
    ["same", "same", "same"],
    ["a", "b"],
    ["one two three four five", "one two three", "two three four five six seven", "five"],
]
small_out = []
for texts_ in small:
    s = self_bleu_scores(texts_)
    small_out.append({"texts": texts_, "self_bleu": sum(s) / len(s), "scores": s})

tok = Tokenizer13a()
lines13a = [t for group in small for t in group] + texts[:200] + [
    "a.b,c 1.5 2,3 x.", ".start", "end.", "a..b", "1.a", "a.1", "9-9-9", "--x--", "{[(<>)]}|~^_`",
    "e-mail@host.com", "$5.00!", "#tag @user", "A\u3000B\u2009C", "x\u200by",
]
with open(os.path.join(out, "selfbleu.json"), "w", encoding="utf-8") as f:
    json.dump({
        "reference": "sacrebleu 2.5.1 BLEU(effective_order=True).sentence_score(t, others).score / 100, mean",
        "corpora": corpora, "small": small_out,
        "tokenize_13a": [{"line": l, "tokens": tok(l.rstrip())} for l in lines13a],
    }, f, ensure_ascii=False)

# --- lexical-diversity ---------------------------------------------------------------------------
lists = []
for start, count in [(0, 1), (1, 1), (2, 3), (10, 5), (0, 50), (100, 100), (0, 300), (3000, 40)]:
    tokens = " ".join(texts[start:start + count]).lower().split()
    lists.append({"tweets_start": start, "tweets_count": count, "n": len(tokens),
                  "ttr": lex_div.ttr(tokens), "mattr": lex_div.mattr(tokens), "mtld": lex_div.mtld(tokens),
                  "hdd": lex_div.hdd(tokens)})
zl = []
for start, count in [(0, 1), (0, 100), (500, 250)]:
    b = "\n".join(texts[start:start + count]).encode("utf-8")
    zl.append({"tweets_start": start, "tweets_count": count, "bytes": len(b), "compressed": len(zlib.compress(b))})
with open(os.path.join(out, "lexical.json"), "w", encoding="utf-8") as f:
    json.dump({"reference": "lexical-diversity 0.1.1 lex_div on ' '.join(tweets).lower().split(); zlib.compress default level",
               "zlib_runtime": zlib.ZLIB_RUNTIME_VERSION, "lists": lists, "zlib": zl}, f, indent=0)
print("wrote", out)
