"""The fixed benchmark query set: realistic query classes, drawn from the real sample.

Terms come from the same real cables the generator recombines, so their frequencies in the
generated corpus follow from the sample: a "common" word is in roughly a third or more of all
cables, a "rare" one in a few hundred out of 251,287. The choice is seeded: same sample, same
seed, same queries.

Each ``Query`` is written once and rendered three ways: URL parameters (for SearchState, the
HTML page and /search.json), and an FTS5 MATCH expression plus filters for the baseline.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.generate import DEFAULT_CORPUS, SourcePool

# The classes the issue names, in report order; "everything" (the empty state: the library's
# front page) is added because it is the most visited page and the broadest query there is.
CLASSES: tuple[str, ...] = (
    "common_word",
    "rare_word",
    "two_words",
    "three_words",
    "phrase",
    "field",
    "prefix",
    "facet_filter",
    "or_countries",
    "exclusion",
    "date_range",
    "sort_date",
    "deep_page",
    "everything",
)

_STOPWORD_TEXT = """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each end even few for
    from further had has have having he her here hers him his how i if in into is it its itself
    just me more most must my no nor not now of off on once only or other our out over own per
    said same say says she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom why
    will with would you your yet may might shall us upon within without among"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD_RE = re.compile(r"[a-z]{4,}")


@dataclass(frozen=True, slots=True)
class Query:
    cls: str
    q: str = ""  # our query syntax (the search box)
    fts: str = ""  # the same text as an FTS5 MATCH expression ("" = match everything)
    include: tuple[tuple[str, str], ...] = ()  # (facet, value): values of one facet are OR-ed
    exclude: tuple[tuple[str, str], ...] = ()
    date_from: str = ""  # YYYY-MM-DD
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1

    def params(self) -> list[tuple[str, str]]:
        """URL parameters in SearchState's vocabulary."""
        items: list[tuple[str, str]] = []
        if self.q:
            items.append(("q", self.q))
        items += list(self.include)
        items += [(facet, "-" + value) for facet, value in self.exclude]
        if self.date_from:
            items.append(("from", self.date_from))
        if self.date_to:
            items.append(("to", self.date_to))
        if self.sort != "relevance":
            items.append(("sort", self.sort))
        if self.page != 1:
            items.append(("page", str(self.page)))
        return items

    def querystring(self) -> str:
        items = self.params()
        return "?" + urlencode(items) if items else ""

    def as_dict(self) -> dict:
        return {"cls": self.cls, "params": self.params(), "fts": self.fts}


def load_tag_kinds(corpus: Path = DEFAULT_CORPUS) -> dict[str, str]:
    kinds: dict[str, str] = {}
    with (corpus / "tags" / "tags.csv").open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            code, kind = line.split(",", 2)[:2]
            kinds[code.strip().upper()] = kind.strip()
    return kinds


@dataclass(frozen=True, slots=True)
class TermStats:
    paragraph_df: Counter  # word -> number of pool paragraphs holding it
    subject_df: Counter
    bigrams: Counter
    paragraphs: int
    mean_paragraphs: float


def term_stats(pool: SourcePool) -> TermStats:
    pdf: Counter = Counter()
    bigrams: Counter = Counter()
    for _marking, text in pool.paragraphs:
        words = [w for w in _WORD_RE.findall(text.lower())]
        pdf.update(set(words))
        bigrams.update(
            {(a, b) for a, b in zip(words, words[1:], strict=False) if a not in STOPWORDS}
        )
    sdf: Counter = Counter()
    for lines in pool.subjects:
        sdf.update(set(_WORD_RE.findall(" ".join(lines).lower())))
    mean = sum(pool.paragraph_counts) / max(1, len(pool.paragraph_counts))
    return TermStats(pdf, sdf, bigrams, len(pool.paragraphs), mean)


def _doc_fraction(stats: TermStats, paragraph_df: int) -> float:
    """Expected share of generated cables holding a word found in paragraph_df pool paragraphs."""
    p = paragraph_df / stats.paragraphs
    return 1 - (1 - p) ** stats.mean_paragraphs


def _band(stats: TermStats, lo: float, hi: float) -> list[str]:
    words = [
        w
        for w, df in stats.paragraph_df.items()
        if w not in STOPWORDS and "xxx" not in w and lo <= _doc_fraction(stats, df) <= hi
    ]
    return sorted(words)


def build_queries(
    pool: SourcePool, per_class: int = 20, seed: int = 7, corpus: Path = DEFAULT_CORPUS
) -> list[Query]:
    """``per_class`` distinct queries for every class in CLASSES, in class order."""
    rng = random.Random(seed)
    stats = term_stats(pool)
    common = _band(stats, 0.25, 0.60)
    medium = _band(stats, 0.02, 0.12)
    rare = [
        w
        for w, df in sorted(stats.paragraph_df.items())
        if 2 <= df <= 3 and w not in STOPWORDS and "xxx" not in w and len(w) >= 6
    ]
    subject_words = sorted(
        w for w, df in stats.subject_df.items() if df >= 8 and w not in STOPWORDS
    )
    phrases = sorted(
        f"{a} {b}"
        for (a, b), n in stats.bigrams.items()
        if 40 <= n <= 2000 and b not in STOPWORDS and "xxx" not in a + b
    )
    prefixes = sorted({w[:5] for w in _band(stats, 0.05, 0.40) if len(w) >= 7})

    kinds = load_tag_kinds(corpus)
    tag_freq: Counter = Counter()
    for t in pool.templates:
        tag_freq.update(t.tag_codes)
    subjects = [c for c, _ in tag_freq.most_common() if kinds.get(c) == "subject"][:12]
    countries = [c for c, _ in tag_freq.most_common() if kinds.get(c) == "geo"][:30]
    years = sorted({t.year for t in pool.templates if t.year >= 2003})

    def words(band: list[str], n: int) -> str:
        return " ".join(rng.sample(band, n))

    out: list[Query] = []
    for _ in range(per_class):
        w = rng.choice(medium)
        out.append(Query("common_word", q=(c := rng.choice(common)), fts=c))
        out.append(Query("rare_word", q=(r := rng.choice(rare)), fts=r))
        out.append(Query("two_words", q=(t := words(medium, 2)), fts=t))
        out.append(Query("three_words", q=(t := words(medium + common, 3)), fts=t))
        p = rng.choice(phrases)
        out.append(Query("phrase", q=f'"{p}"', fts=f'"{p}"'))
        s = rng.choice(subject_words)
        out.append(Query("field", q=f"subject:{s}", fts=f"subject : {s}"))
        pre = rng.choice(prefixes)
        out.append(Query("prefix", q=f"{pre}*", fts=f"{pre}*"))
        out.append(Query("facet_filter", q=w, fts=w, include=(("tag", rng.choice(subjects)),)))
        three = tuple(("country", c) for c in rng.sample(countries, 3))
        out.append(Query("or_countries", q=w, fts=w, include=three))
        out.append(Query("exclusion", q=w, fts=w, exclude=(("tag", rng.choice(subjects[:4])),)))
        y = rng.choice(years)
        out.append(
            Query("date_range", q=w, fts=w, date_from=f"{y}-01-01", date_to=f"{y + 1}-06-30")
        )
        out.append(Query("sort_date", q=w, fts=w, sort="newest"))
        out.append(Query("deep_page", q=(c := rng.choice(common)), fts=c, page=50))
        # The empty state, then browsing by one country: what the front page and a click give.
        if not any(q.cls == "everything" and not q.include for q in out):
            out.append(Query("everything"))
        else:
            out.append(Query("everything", include=(("country", rng.choice(countries)),)))
    order = {c: i for i, c in enumerate(CLASSES)}
    return sorted(out, key=lambda q: order[q.cls])
