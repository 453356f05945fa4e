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
    clauses = [c for c in parse.get("clause_categories") or [] if c in CATEGORIES]
    categories = [category] if category else []
    if category:
        for entry in ranking:
            other = category_of(entry.get("name"))
            if other and other not in categories and entry.get("confidence", 0) >= SECOND_CATEGORY_CONFIDENCE:
                categories.append(other)
        # Problems found clause by clause (nlu.components.LinearIntentClassifier).
        for other in clauses:
            if other not in categories:
                categories.append(other)
    return {"intent": intent, "category": category, "categories": categories,
            "confidence": round(confidence, 4), "report_share": round(report_share(parse), 4)}


# A report category the model ranks at least this high (or the report intents together)
# is plausible even when its top answer is another intent (an errand with nothing to act
# on, out of scope).
PLAUSIBLE_REPORT_SHARE = 0.10


def report_share(parse: dict) -> float:
    """How much of the ranking the report intents take together."""
    return sum(float(e.get("confidence") or 0) for e in parse.get("intent_ranking") or []
               if category_of(e.get("name")))


def plausible_categories(parse: dict, share: float = PLAUSIBLE_REPORT_SHARE) -> list[str]:
    """Report categories the ranking gives at least ``share``, likeliest first."""
    found: list[str] = []
    for entry in sorted(parse.get("intent_ranking") or [], key=lambda e: -float(e.get("confidence") or 0)):
        category = category_of(entry.get("name"))
        if category and category not in found and float(entry.get("confidence") or 0) >= share:
            found.append(category)
    return found


# A message at least this long may tell of a problem; a shorter one is an errand or a word.
PROBLEM_LENGTH = 12


def may_be_report(text: str, share: float, names_a_place: bool) -> bool:
    """A message the model took as something else that may still tell of a problem: long
    enough, and the report intents take ``share`` of the ranking or it names a place. The
    dialogue then offers a report instead of turning the resident away."""
    return len(text.strip()) >= PROBLEM_LENGTH and (share >= PLAUSIBLE_REPORT_SHARE or names_a_place)


def answered_out_of_scope(result: dict) -> bool:
    """The dialogue says "帮不上忙" to a message understood as ``result`` (a canonical
    result with its text and entities): out of scope, and not possibly a report."""
    if result["intent"] != "out_of_scope":
        return False
    place = any(e.get("entity") == "address" for e in result.get("entities") or [])
    return not may_be_report(result.get("text") or "", result.get("report_share", 0.0), place)


# Intents whose messages are short by nature: a bare answer, a greeting, goodbye.
# (Thanks can be long: "谢谢你们这么快就处理了 真的帮大忙了".)
SHORT_INTENTS = frozenset({"inform", "greet", "goodbye"})
# Characters of a message outside its entities from which it says more than that. An
# answer that describes may run to 11 ("有三四辆，停了快一个月了"); 12 was chosen on the
# tuning sets (README, "Eighth round").
LONG_RESIDUE = 12
NOT_WORDS = re.compile(r"[\W_]+")


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
    return NOT_WORDS.sub("", "".join(kept))


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


# Words that may stand around a bare answer without making it say more: "单号是……",
# "大概……左右", "我家在……".
_ANSWER_FILLER = re.compile(r"单号|号码|手机号?|电话|地址|时间|大概|大约|左右|差不多|应该|我家|我住|就在|我的|是|在|的|吧|啊|呀|哦|喔|嗯")
# What may follow a mediator's name in a bare answer: "钱立新调解员", "找陆慧老师".
_NAME_FILLER = re.compile(r"调解员|老师|同志|师傅|找|要|选|就")
# Characters of a message outside its entities and filler up to which it is a bare answer.
BARE_RESIDUE = 1


def answer_or_more(text: str, entities: list[dict], ranking: list[dict],
                   names: tuple[str, ...] = ()) -> list[dict] | None:
    """The ranking as ShortIntentGuard leaves it: a long message is no bare answer or
    greeting, a message of nothing but its entities (or one of ``names``) is one; None
    when nothing changes."""
    return (overrule_short_intents(text, entities, ranking)
            or bare_answer(text, entities, ranking, names))


def bare_answer(text: str, entities: list[dict], ranking: list[dict],
                names: tuple[str, ...] = ()) -> list[dict] | None:
    """A message that is nothing but its entities ("昨天晚上", "20261116-0027",
    "13812345678") or a name the bot offers (a mediator's: "钱立新调解员") answers a
    question (inform), whatever the model made of words it never saw alone; the dialogue
    then takes it as the answer or shows the case. None when it says more, has neither,
    or inform already ranks first."""
    if not ranking or ranking[0].get("name") == "inform":
        return None
    rest_of_text = residue(text, entities)
    named = [name for name in names if name and name in rest_of_text]
    if not entities and not named:
        return None
    for name in named:
        rest_of_text = rest_of_text.replace(name, "")
    if named:
        rest_of_text = _NAME_FILLER.sub("", rest_of_text)
    if len(_ANSWER_FILLER.sub("", rest_of_text)) > BARE_RESIDUE:
        return None
    rest = [r for r in ranking if r.get("name") != "inform"]
    others = sum(r.get("confidence", 0.0) for r in rest) or 1.0
    # inform takes the top share the model gave anything; the rest keep their order.
    top = max(0.5, float(ranking[0].get("confidence", 0.0)))
    return [{"name": "inform", "confidence": top}] + [
        {**r, "confidence": r.get("confidence", 0.0) / others * (1.0 - top)} for r in rest]
