"""Search text for the queue: Chinese has no spaces, so jieba cuts it into words once, at
submission; a query is cut the same way and every word must appear (LIKE, trigram-indexed on
PostgreSQL)."""

import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)  # its start-up chatter is not our log

_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)
MAX_QUERY_WORDS = 8  # a pasted paragraph should not become a 200-term query


def words(text):
    """The words of a text, lower-cased, punctuation and blanks dropped."""
    tokens = (_PUNCTUATION.sub("", t).lower() for t in jieba.cut_for_search(text or ""))
    return [t for t in tokens if t]


def search_text_for(business_name, business_licence, description):
    """What reports.search_text holds: every word once, space-separated (order kept)."""
    seen = dict.fromkeys(words(" ".join(filter(None, (business_name, business_licence, description)))))
    return " " + " ".join(seen) + " "


def query_words(query):
    """The words a search must find. Each word is matched as a substring of the segmented text,
    so a word jieba cut differently in the query still finds the longer word it is part of."""
    return list(dict.fromkeys(w for w in words(query) if len(w) > 0))[:MAX_QUERY_WORDS]
