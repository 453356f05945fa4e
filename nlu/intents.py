"""The canonical intents and categories, and how the model's finer intents map to them."""
from __future__ import annotations

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
