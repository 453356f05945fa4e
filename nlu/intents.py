"""The canonical intents and categories, and how the model's finer intents map to them."""
from __future__ import annotations

import re

CATEGORIES = ("parking", "elderly_care", "dispute", "repair", "noise",
              "environment", "safety", "other")
INTENTS = ("report", "book_mediation", "check_points", "check_case", "request_human",
           "help", "hurry_case", "withdraw_case", "my_bookings", "my_data",
           "inform", "greet", "goodbye", "thanks", "affirm", "deny", "cancel",
           "out_of_scope", "rate_case", "redeem", "add_detail")
REPORT_PREFIX = "report_"
FALLBACK = "nlu_fallback"
# A second problem in one message counts when the model gives it at least this much.
SECOND_CATEGORY_CONFIDENCE = 0.15


def category_of(model_intent: str | None) -> str | None:
    if model_intent and model_intent.startswith(REPORT_PREFIX):
        category = model_intent[len(REPORT_PREFIX):]
        return category if category in CATEGORIES else None
    return None


def canonical(parse: dict) -> dict:
    """Canonical intent, category, categories and confidence from a Rasa parse result."""
    ranking = parse.get("intent_ranking") or []
    top = parse.get("intent") or {}
    name, confidence = top.get("name"), float(top.get("confidence") or 0.0)
    if name == FALLBACK or name is None:
        name = "out_of_scope"
    category = category_of(name)
    intent = "report" if category else (name if name in INTENTS else "out_of_scope")
    categories = [category] if category else []
    if category:
        for entry in ranking:
            other = category_of(entry.get("name"))
            if other and other not in categories and entry.get("confidence", 0) >= SECOND_CATEGORY_CONFIDENCE:
                categories.append(other)
    return {"intent": intent, "category": category, "categories": categories,
            "confidence": round(confidence, 4)}


# Intents whose messages are short by nature: a bare answer, a greeting, goodbye.
# (Thanks can be long: "谢谢你们这么快就处理了 真的帮大忙了".)
SHORT_INTENTS = frozenset({"inform", "greet", "goodbye"})
# Characters of a message outside its entities beyond which it says more than that.
LONG_RESIDUE = 10
_NOT_WORDS = re.compile(r"[\W_]+")


def residue(text: str, entities: list[dict]) -> str:
    """The words of a message outside its entities (punctuation and spaces dropped)."""
    kept, last = [], 0
    for entity in sorted(entities, key=lambda e: e.get("start", 0)):
        start, end = entity.get("start"), entity.get("end")
        if start is None or end is None or start < last:
            continue
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    return _NOT_WORDS.sub("", "".join(kept))


def overrule_short_intents(text: str, entities: list[dict], ranking: list[dict]) -> list[dict] | None:
    """A long message is no bare answer or greeting: "早上好！书香苑消防通道上又停了两辆车"
    reports a problem. When a short intent ranks first but the message says more than
    its entities, the short intents' share goes to the others in proportion; None
    when nothing changes."""
    if not ranking or ranking[0].get("name") not in SHORT_INTENTS:
        return None
    if len(residue(text, entities)) < LONG_RESIDUE:
        return None
    short_share = sum(r.get("confidence", 0.0) for r in ranking if r.get("name") in SHORT_INTENTS)
    rest = [r for r in ranking if r.get("name") not in SHORT_INTENTS]
    if not rest or short_share >= 1.0:
        return None
    # The ranking's shares need not add up to one (it is cut after ten): stay a probability.
    return [{**r, "confidence": min(1.0, r.get("confidence", 0.0) / (1.0 - short_share))} for r in rest]
