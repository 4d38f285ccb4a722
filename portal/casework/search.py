"""Search text for the queue, and the near-duplicate measure of clues: character bigrams.

Chinese has no spaces. The text is cut into overlapping two-character tokens (后厨卫生 →
后厨 厨卫 卫生, plus the run's last character 生 alone), Latin letters and digits into whole
lower-case words, and stored once, space-separated, in reports.search_text. A query is cut the
same way, but into non-overlapping two-character tiles (牛奶过期 → 牛奶 过期), each of which must
appear as a token: so any substring of the text is found, and so are two words of a phrase in
another order or apart (牛奶过期 finds 牛奶已经过期) as long as they fall on the tiles, which for
Chinese, whose words are mostly two characters, they nearly always do.

Why not jieba (the first version segmented with it): its dictionary costs a worker about 50 MB
of resident memory (measured 116 → 167 MB, issue 7 wants ≤ 120 MB) and 1–3 s on the first
request that needs it, and a two-character word has no full trigram, so the trigram index could
not serve the commonest Chinese query. A smaller dictionary does not save it (re-measured with
jieba 0.42.1): `import jieba` alone adds 21 MB (its HMM tables load at import), so even the
50,000 commonest words (+3.6 MB more) would leave a worker about 25 MB heavier, and segmenting
only the query would not help either: the query is cut in the worker too.

Whole tokens between spaces can be searched as LIKE '% 口罩 %': on PostgreSQL pg_trgm pads a
space-bounded word, so even a two-character token gives three trigrams the GIN index answers
(ix_reports_search_text_trgm); SQLite runs the same LIKE, so both databases find the same
reports.
"""

import re
import unicodedata

from sqlalchemy import and_

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_RUNS = re.compile(r"[0-9a-z]+|[^0-9a-z]+")
MAX_QUERY_TERMS = 12  # a pasted paragraph should not become a 200-term query


def _runs(text):
    """Runs of Latin letters/digits and runs of other word characters (Chinese), lower-cased."""
    normal = unicodedata.normalize("NFKC", text or "").lower()
    for chunk in _NOT_WORD.split(normal):
        yield from _RUNS.findall(chunk)


def _is_latin(run):
    return run[0].isascii()


def tokens(text):
    """Every token of a text, in order, repeats kept: Latin words whole, Chinese as bigrams."""
    out = []
    for run in _runs(text):
        if _is_latin(run) or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
            out.append(run[-1])  # so a one-character query finds a run's last character too
    return out


def shingles(text):
    """The set of a text's tokens (for the Jaccard similarity of two descriptions)."""
    return set(tokens(text))


def search_text_for(business_name, business_licence, description):
    """What reports.search_text holds: every token once, space-separated, a space at each end."""
    seen = dict.fromkeys(tokens(" ".join(filter(None, (business_name, business_licence, description)))))
    return " " + " ".join(seen) + " "


def query_terms(query):
    """[(token, whole)] a search must find: Chinese cut into two-character tiles (whole tokens),
    a single character or a Latin word as the start of a token."""
    terms = []
    for run in _runs(query):
        if _is_latin(run) or len(run) == 1:
            terms.append((run, False))
            continue
        tiles = [run[i : i + 2] for i in range(0, len(run) - 1, 2)]
        if len(run) % 2:
            tiles.append(run[-2:])
        terms.extend((tile, True) for tile in tiles)
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


def _escape(token):
    return token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches(column, query):
    """The condition "every term of the query is in `column`" (None for a query with no terms)."""
    terms = query_terms(query)
    if not terms:
        return None
    return and_(*(column.like(f"% {_escape(t)}{' ' if whole else ''}%", escape="\\") for t, whole in terms))
