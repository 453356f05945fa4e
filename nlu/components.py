"""Rasa graph components: thin wrappers around the pure functions of nlu/."""
from __future__ import annotations

import datetime as dt
import io
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

from nlu.address import find_addresses
from nlu.entities import merge, rule_entities
from nlu.gazetteer import jieba_dictionary
from nlu.intents import overrule_short_intents

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
    address annotations and DIET's entity spans line up with tokens."""
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
    """A long message is not a bare answer or a greeting (nlu.intents.overrule_short_intents)."""

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
            ranking = overrule_short_intents(message.get(TEXT) or "", message.get(ENTITIES, []),
                                             message.get(INTENT_RANKING_KEY) or [])
            if ranking:
                message.set(INTENT, {"name": ranking[0]["name"], "confidence": ranking[0]["confidence"]},
                            add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
