"""Matching needs with projects and talents, and projects with needs.

Text is segmented by jieba (Chinese words; Latin words come out of it whole and are
lower-cased), weighted by scikit-learn's TF-IDF over the need and its candidates, and
compared by cosine similarity. A candidate in the need's technology field gets a bonus,
so a Chinese need still finds an English-only project of its field. One vectorizer is fitted
per ranking, over exactly the texts being compared.

The score, between 0 and 1, is ``TEXT_WEIGHT × cosine``, plus ``FIELD_BONUS`` when the fields
agree, plus ``KEYWORD_WEIGHT ×`` the share of the need's keyword phrases the other text has all the
words of. The explanation names the field and the terms both texts share, the need's keywords first.
"""

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import User
from events.services import can
from registration.models import Entry

from ..models import Need
from ..selectors import needs as selectors
from .needs import need_can_edit

TEXT_WEIGHT = 0.6
FIELD_BONUS = 0.25
KEYWORD_WEIGHT = 0.15
MAX_SHARED_TERMS = 4
DEFAULT_LIMIT = 20

# Function words that carry no subject; jieba keeps them as words of their own.
CHINESE_STOP_WORDS = frozenset(
    {
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "为",
        "对",
        "等",
        "将",
        "把",
        "被",
        "从",
        "向",
        "以",
        "于",
        "并",
        "其",
        "这",
        "那",
        "有",
        "也",
        "都",
        "而",
        "就",
        "可",
        "能",
        "我们",
        "我司",
        "公司",
        "企业",
        "项目",
        "需求",
        "寻找",
        "希望",
        "进行",
        "一种",
        "一个",
        "用于",
        "基于",
        "通过",
        "以及",
        "相关",
        "技术",
        "合作",
    }
)
OWN_STOP_WORDS = frozenset({"project", "need", "technology", "looking"})


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """English (scikit-learn's), Chinese and our own stop words; scikit-learn is imported on first use,
    not when the site starts."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | CHINESE_STOP_WORDS | OWN_STOP_WORDS


KEYWORD_SEPARATORS = re.compile(r"[,，;；、\n]+")

_jieba = None
_jieba_lock = threading.Lock()


def _segmenter():
    """jieba, loaded and initialised on first use (its dictionary takes a moment), with its log quiet."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def tokenize(text: str) -> list[str]:
    """Words of ``text``: jieba's search-mode segmentation (so 锂电池 also yields 电池), lower-cased,
    without punctuation, numbers, single Latin letters and stop words."""
    return list(_tokens(text))


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """Segmenting is most of a ranking's time, and the same projects are ranked again and again."""
    words = []
    stop_words = _stop_words()
    for raw in _segmenter().cut_for_search(text):
        word = raw.strip().lower()
        if not word or not any(ch.isalpha() for ch in word) or word in stop_words:
            continue
        if len(word) == 1 and word.isascii():
            continue
        words.append(word)
    return tuple(words)


def _phrase_words(phrase: str) -> frozenset[str]:
    return frozenset(_tokens(phrase))


def split_keywords(keywords: str) -> list[str]:
    return [kw.strip() for kw in KEYWORD_SEPARATORS.split(keywords or "") if kw.strip()]


@dataclass(frozen=True)
class Document:
    """What is compared: the text, the technology fields, and (for needs) keyword phrases."""

    text: str
    fields: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()


@dataclass
class Match:
    item: Any
    score: float
    same_field: bool
    shared_terms: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return match_explanation(same_field=self.same_field, shared_terms=self.shared_terms)


def match_explanation(*, same_field: bool, shared_terms: Sequence[str]) -> str:
    """Why a match scored, in the active language: the field and the shared terms. Kept apart from
    ``Match`` so an explanation stored as its parts can be written out again in any language."""
    terms = ", ".join(shared_terms)
    if same_field and terms:
        return _("Same field; shares: %(terms)s") % {"terms": terms}
    if same_field:
        return _("Same field")
    return _("Shares: %(terms)s") % {"terms": terms}


def need_document(need: Need) -> Document:
    keywords = split_keywords(need.keywords)
    text = " ".join([need.title_zh, need.title_en, need.description_zh, need.description_en, *keywords])
    return Document(text=text, fields=frozenset({need.field}), keywords=tuple(keywords))


def entry_document(entry: Entry) -> Document:
    text = " ".join([entry.title_zh, entry.title_en, entry.summary, entry.technology])
    return Document(text=text, fields=frozenset({entry.track.field} if entry.track_id else ()) - {""})


def talent_document(talent: User) -> Document:
    """A talent's expertise and bio and the titles of their projects; their fields are their projects' fields.

    ``talent.matchable_entries`` is prefetched by ``selectors.talents``.
    """
    entries = talent.matchable_entries
    text = " ".join([talent.expertise, talent.bio, *(f"{e.title_zh} {e.title_en}" for e in entries)])
    return Document(text=text, fields=frozenset(e.track.field for e in entries if e.track_id and e.track.field))


def _shared_terms(
    phrases: Iterable[str], query_terms: dict[str, float], candidate_terms: dict[str, float]
) -> list[str]:
    """The need's keyword phrases whose every word both texts have, then the shared words with
    the highest combined weight, skipping words already inside a chosen phrase or word."""
    chosen: list[str] = []
    covered: set[str] = set()
    for phrase in phrases:
        words = _phrase_words(phrase)
        if words and words <= (candidate_terms.keys() & query_terms.keys()) and phrase not in chosen:
            chosen.append(phrase)
            covered |= words
            covered.add(phrase.lower())
    shared = sorted(
        (term for term in query_terms.keys() & candidate_terms.keys() if term not in covered),
        key=lambda term: (-query_terms[term] * candidate_terms[term], term),
    )
    for term in shared:
        if len(chosen) >= MAX_SHARED_TERMS:
            break
        if any(term in other or other in term for other in covered):
            continue
        chosen.append(term)
        covered.add(term)
    return chosen[:MAX_SHARED_TERMS]


def _row_terms(matrix, row: int, vocabulary) -> dict[str, float]:
    """The words of one text of the TF-IDF matrix with their weights."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    return dict(zip(vocabulary[matrix.indices[start:end]], matrix.data[start:end], strict=True))


def _row_words(matrix, row: int, vocabulary) -> set[str]:
    return set(vocabulary[matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]]])


def _keyword_share(phrases: Sequence[str], query_terms: dict[str, float], candidate_words: set[str]) -> float:
    """The share of the keyword phrases that both texts have every word of."""
    if not phrases:
        return 0.0
    matched = 0
    for phrase in phrases:
        words = _phrase_words(phrase)
        matched += bool(words) and words <= candidate_words and words <= query_terms.keys()
    return matched / len(phrases)


def rank(
    query: Document, candidates: Sequence[tuple[Any, Document]], *, limit: int | None = DEFAULT_LIMIT
) -> list[Match]:
    """Candidates ordered by score (highest first, then in the order given); those sharing neither
    a word nor the field are left out."""
    if not candidates:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([query.text, *(doc.text for _item, doc in candidates)]).tocsr()
    except ValueError:  # no words in any text: only the field can match
        matrix = None
    if matrix is not None:
        similarities = cosine_similarity(matrix[0], matrix[1:]).ravel()
        vocabulary = vectorizer.get_feature_names_out()
        query_terms = _row_terms(matrix, 0, vocabulary)
    scored = []
    for index, (_item, doc) in enumerate(candidates):
        similarity = float(similarities[index]) if matrix is not None else 0.0
        same_field = bool(query.fields & doc.fields)
        if similarity <= 0 and not same_field:
            continue
        score = TEXT_WEIGHT * similarity + (FIELD_BONUS if same_field else 0.0)
        if similarity > 0:
            candidate_words = _row_words(matrix, index + 1, vocabulary)
            score += KEYWORD_WEIGHT * _keyword_share((*query.keywords, *doc.keywords), query_terms, candidate_words)
        scored.append((score, index, same_field))
    scored.sort(key=lambda row: (-row[0], row[1]))  # ties keep the candidates' order
    matches = []
    for score, index, same_field in scored[:limit]:
        item, doc = candidates[index]
        shared: list[str] = []
        if matrix is not None and similarities[index] > 0:
            candidate_terms = _row_terms(matrix, index + 1, vocabulary)
            shared = _shared_terms((*query.keywords, *doc.keywords), query_terms, candidate_terms)
        matches.append(Match(item=item, score=round(score, 4), same_field=same_field, shared_terms=shared))
    return matches


# --- what the pages and the API ask --------------------------------------------------------------


def need_project_matches(*, need: Need, user, limit: int | None = DEFAULT_LIMIT) -> list[Match]:
    """The event's submitted projects ranked for ``need``: for the event's organisers and the
    enterprise that posted the need."""
    if not need_can_edit(user, need):
        raise PermissionDenied(
            _("Only the event's organisers and the enterprise that posted the need see its matches.")
        )
    entries = list(selectors.matchable_entries(need.event))
    return rank(need_document(need), [(entry, entry_document(entry)) for entry in entries], limit=limit)


def need_talent_matches(*, need: Need, user, limit: int | None = DEFAULT_LIMIT) -> list[Match]:
    """Talents from the programme's talent database ranked for ``need``: organisers only."""
    if not can(user, "docking.manage", need.event):
        raise PermissionDenied(_("Only the event's organisers see matching talents."))
    talents = list(selectors.talents())
    return rank(need_document(need), [(talent, talent_document(talent)) for talent in talents], limit=limit)


def entry_need_matches(*, entry: Entry, user, limit: int | None = DEFAULT_LIMIT) -> list[Match]:
    """The open needs of the entry's event ranked for the entry: for its owner and the organisers."""
    if not (entry.owner_id == getattr(user, "pk", None) or can(user, "entry.view_all", entry.event)):
        raise PermissionDenied(_("Only the project's owner and the event's organisers see its matching needs."))
    if not (can(user, "docking.view_open_needs", entry.event) or can(user, "docking.manage", entry.event)):
        raise PermissionDenied(_("You do not have permission to do this in this event."))
    needs = list(selectors.open_needs(entry.event))
    return rank(entry_document(entry), [(need, need_document(need)) for need in needs], limit=limit)
