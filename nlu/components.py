"""Rasa graph components: thin wrappers around the pure functions of nlu/."""
from __future__ import annotations

import datetime as dt
import io
import pickle
import re
from typing import Any, Dict, List, Optional, Text

import jieba
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.address import find_addresses
from nlu.entities import merge, rule_entities
from nlu.gazetteer import jieba_dictionary, mediator_names
from nlu.intents import NOT_WORDS, answer_or_more
from nlu.topics import topic_tokens

_dictionary_loaded = False


def load_dictionary() -> None:
    """Load the generated user dictionary into jieba once per process."""
    global _dictionary_loaded
    if not _dictionary_loaded:
        jieba.setLogLevel(60)
        jieba.load_userdict(io.StringIO(jieba_dictionary()))
        _dictionary_loaded = True


def place_boundaries(text: str) -> set[int]:
    """Offsets where a place starts or ends: no token may cross them, so that
    address annotations and the CRF's entity spans line up with tokens."""
    return {edge for span in find_addresses(text) for edge in (span.start, span.end)}


def split_at(word: str, start: int, boundaries: set[int]) -> list[tuple[str, int]]:
    cuts = [start] + sorted(b for b in boundaries if start < b < start + len(word))
    cuts.append(start + len(word))
    return [(word[a - start:b - start], a) for a, b in zip(cuts, cuts[1:])]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class CleanJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer without blank tokens (rasa issue 7910), with the district's words.

    The dictionary is generated from data/district.yml and data/jieba/domain_words.txt
    each time the component is created; the model fingerprint covers both files.
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CleanJiebaTokenizer:
        load_dictionary()
        return cls(config, model_storage, resource)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        boundaries = place_boundaries(text)
        tokens = [
            Token(piece, start)
            for word, start, _ in jieba.tokenize(text)
            if word.strip()
            for piece, start in split_at(word, start, boundaries)
        ]
        return self._apply_token_pattern(tokens)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class RuleEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds address, time, phone and case_id found by rules, merged with the model's.

    "now" comes from the message metadata ({"now": ISO time}) when a caller pins it,
    otherwise from the clock.
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RuleEntityExtractor:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            rules = rule_entities(text, _pinned_now(message))
            for entity in rules:
                entity["extractor"] = self.__class__.__name__
            merged = merge(message.get(ENTITIES, []), rules)
            message.set(ENTITIES, merged, add_to_output=True)
        return messages


def _pinned_now(message: Message) -> Optional[dt.datetime]:
    now = (message.get("metadata") or {}).get("now")
    return dt.datetime.fromisoformat(now) if now else None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class ShortIntentGuard(GraphComponent):
    """A long message is not a bare answer or a greeting (nlu.intents.overrule_short_intents);
    a message of nothing but its entities is a bare answer (nlu.intents.bare_answer)."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ShortIntentGuard:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = answer_or_more(message.get(TEXT) or "", message.get(ENTITIES, []),
                                     message.get(INTENT_RANKING_KEY) or [], mediator_names())
            if ranking:
                message.set(INTENT, {"name": ranking[0]["name"], "confidence": ranking[0]["confidence"]},
                            add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


# --- the intent model: logistic regression over n-grams ----------------------------------


def linear_features(text: str, words: list[str]) -> list[str]:
    """The linear model's three inputs: the text without punctuation (for character
    n-grams), its words, space-joined (for word n-grams), and its topic words' lists
    (nlu.topics). Punctuation and spaces say how a message is written, not what it asks:
    a letter's commas made chat reports that have commas sound like letters out of scope."""
    return [NOT_WORDS.sub(" ", text).strip(), " ".join(w for w in words if NOT_WORDS.sub("", w)),
            " ".join(topic_tokens(text))]


def span_features(message: Message, start: int, end: int) -> list[str]:
    """The linear model's inputs for text[start:end] of a tokenized message."""
    words = [t.text for t in message.get("text_tokens") or [] if start <= t.start and t.end <= end]
    return linear_features((message.get(TEXT) or "")[start:end], words)


def linear_inputs(messages: List[Message]) -> list[list[str]]:
    """Per message: the linear model's inputs, from its text and the tokenizer's tokens."""
    return [span_features(message, 0, len(message.get(TEXT) or "")) for message in messages]


# A message this long is a letter: its first sentence says what it is about, the rest is
# background, which in letters about a developer or a policy talks of lifts and parking.
LEAD_FROM = 80  # characters


def lead_span(text: str) -> tuple[int, int] | None:
    """(start, end) of the first sentence of a letter (a message of LEAD_FROM characters
    or more) that is at least MIN_CLAUSE long; None for shorter messages."""
    if len(text) < LEAD_FROM:
        return None
    start = 0
    for found in LEAD_END.finditer(text + "。"):
        if len(text[start:found.start()].strip()) >= MIN_CLAUSE:
            return start, found.start()
        start = found.end()
    return None


def with_lead(whole: list[float], lead: list[float] | None, lead_weight: float) -> list[float]:
    """A letter's probabilities: ``lead_weight`` of its first sentence's, the rest the
    whole letter's."""
    if lead is None:
        return list(whole)
    return [(1 - lead_weight) * w + lead_weight * f for w, f in zip(whole, lead)]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class LinearIntentClassifier(GraphComponent):
    """Logistic regression over TF-IDF character (1-3) and word n-grams and the topic lists
    (``topic_weight``), averaged with naive Bayes (``nb_weight``), a letter ranked partly by
    its first sentence (``lead_weight``).
    A linear model over n-grams holds better than DIET on messages nobody here wrote
    (README, "Understanding"); the entities come from rules and a CRF."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 20.0, "topic_weight": 0.1, "lead_weight": 0.5, "nb_weight": 0.3, "nb_alpha": 0.1,
                "random_seed": 7}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model=None) -> None:
        self.config, self._storage, self._resource, self.model = config, model_storage, resource, model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT)]
        self.model = linear_model(self.config["C"], self.config["random_seed"], self.config["topic_weight"],
                                  self.config["nb_weight"], self.config["nb_alpha"])
        self.model.fit(linear_inputs(examples), [m.get(INTENT) for m in examples])
        with self._storage.write_to(self._resource) as directory:
            (directory / "linear.pkl").write_bytes(pickle.dumps(self.model))
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = pickle.loads((directory / "linear.pkl").read_bytes())
        except ValueError:  # not trained (no intent examples)
            model = None
        return cls(config, model_storage, resource, model)

    def probabilities(self, messages: List[Message]) -> list[dict[str, float]]:
        """Per message: the linear model's probability of each intent, a letter's first
        sentence weighing ``lead_weight`` (lead_span)."""
        whole = self.model.predict_proba(linear_inputs(messages))
        leads = [lead_span(message.get(TEXT) or "") for message in messages]
        asked = [(n, span_features(messages[n], *span)) for n, span in enumerate(leads) if span]
        lead = dict(zip((n for n, _ in asked), self.model.predict_proba([f for _, f in asked]))) if asked else {}
        names = list(map(str, self.model.classes_))
        return [dict(zip(names, map(float, with_lead(row, lead.get(n), float(self.config["lead_weight"])))))
                for n, row in enumerate(whole)]

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None or not messages:
            return messages
        for message, linear in zip(messages, self.probabilities(messages)):
            ranking = intent_ranking(linear)
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        self._clause_categories(messages)
        return messages

    def _clause_categories(self, messages: List[Message]) -> None:
        """Several problems in one message, found clause by clause: a clause to which the
        linear model alone gives the report intents at least CLAUSE_SURE is a problem of
        its own, of its likeliest kind, whatever share the whole message's ranking leaves
        it (nlu.intents.canonical)."""
        pieces = [(message, span_features(message, start, end))
                  for message in messages for start, end in clause_spans(message.get(TEXT) or "")]
        found: dict[int, list[str]] = {}
        if pieces:
            reports = [(n, str(name)[len("report_"):]) for n, name in enumerate(self.model.classes_)
                       if str(name).startswith("report_")]
            for (message, _), probabilities in zip(pieces, self.model.predict_proba([p for _, p in pieces])):
                if sum(probabilities[n] for n, _ in reports) < CLAUSE_SURE:
                    continue  # not a problem: a greeting, a request, a place
                kind = max(reports, key=lambda r: probabilities[r[0]])[1]
                kinds = found.setdefault(id(message), [])
                if kind != "other" and kind not in kinds:  # "我想反映个事" says no kind
                    kinds.append(kind)
        for message in messages:
            message.set(CLAUSE_CATEGORIES, found.get(id(message), []), add_to_output=True)


def intent_ranking(probabilities: dict[str, float]) -> list[dict]:
    """The ten likeliest intents, likeliest first, as Rasa ranks them."""
    return sorted(({"name": n, "confidence": c} for n, c in probabilities.items()),
                  key=lambda r: -r["confidence"])[:10]


STOPS = "。！？!?；;"
SENTENCE_END = re.compile(f"[{STOPS}\\n]+")
# A letter's first sentence also ends at a space: residents typing on a phone end a sentence
# with one, and a letter's title is followed by one. Chosen on the tuning letters (README).
LEAD_END = re.compile(f"[{STOPS}\\s]+")
# Where one problem ends and another may begin: sentence ends, and the words that add one.
CLAUSE_BREAK = re.compile(SENTENCE_END.pattern + r"|另外|还有|而且|再就是|再有|顺便说一下|顺便")
MIN_CLAUSE = 6  # characters: shorter pieces ("臭死了") belong to the problem before them
CLAUSE_SURE = 0.5
CLAUSE_CATEGORIES = "clause_categories"


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of a message of two or more; [] for a single clause."""
    spans, start = [], 0
    for found in CLAUSE_BREAK.finditer(text):
        spans.append((start, found.start()))
        start = found.end()
    spans.append((start, len(text)))
    spans = [(a, b) for a, b in spans if len(text[a:b].strip()) >= MIN_CLAUSE]
    return spans if len(spans) > 1 else []


def linear_model(c: float, seed: int, topic_weight: float, nb_weight: float, nb_alpha: float):
    """TF-IDF n-grams and topic lists into logistic regression; with ``nb_weight`` > 0, its
    probabilities averaged with a complement naive Bayes' over the same features."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import VotingClassifier
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import make_pipeline

    # Topic lists are a hint, not a verdict: at full weight the model leaned on them and
    # filed letters about a developer by the lifts they mention (bench/nlu_tune.py).
    features = ColumnTransformer([
        ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True), 0),
        ("words", TfidfVectorizer(analyzer=str.split, sublinear_tf=True), 1),
        ("topics", CountVectorizer(analyzer=str.split, binary=True), 2),
    ], transformer_weights={"chars": 1.0, "words": 1.0, "topics": topic_weight})
    regression = LogisticRegression(max_iter=3000, C=c, random_state=seed)
    if not nb_weight:
        return make_pipeline(features, regression)
    # Naive Bayes weighs each n-gram on its own; averaged in, it raised the cross-validation
    # and every tuning set (README, "Understanding").
    return make_pipeline(features, VotingClassifier(
        [("regression", regression), ("bayes", ComplementNB(alpha=nb_alpha))],
        voting="soft", weights=[1 - nb_weight, nb_weight]))
