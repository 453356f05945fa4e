"""Pinyin typed without an input method, read as the characters it spells.

A resident whose phone is on the latin keyboard writes "loudao deng huaile" or
"wangjiang huayuan 3 dong". Latin that spells pinyin and nothing else is read as its
likeliest words, as an input method would: a word weighs its frequency in jieba's
dictionary, raised for the words of this project (the training examples, the district's
places, the domain words), so that "tiaojie" is 调解 here and not 调节; and two words side
by side weigh more when the examples put those characters side by side (被|占, 怎么|改).
English ("help", "the lift is broken") and keyboard mashing do not spell pinyin; a message
with any latin word that does not is left as written, English and all.
"""
from __future__ import annotations

import bisect
import functools
import math
import re
import threading
import unicodedata
from collections import Counter

from nlu.numerals import DIGITS

# Latin words and numbers separated by spaces or a syllable's apostrophe (xi'an); any other
# character ends the run.
LATIN_RUN = re.compile(r"[A-Za-z0-9]+(?:[ '’]+[A-Za-z0-9]+)*")
LATIN_WORD = re.compile(r"[A-Za-z]+")
HANZI = re.compile(r"[\u4e00-\u9fff]+")
# Two syllables make a message without characters ("jifen?"); inside Chinese text a short
# latin word is likelier English or a name ("你是siri吗"), so it takes three ("guangchangwu").
MIN_SYLLABLES_ALONE, MIN_SYLLABLES_IN_TEXT = 2, 3
# Interjections (嗯, 呣) that would make "no" and "NBA" pinyin.
NOT_TYPED = frozenset({"n", "m", "ng", "hm", "hng"})
LONGEST_WORD = 24  # letters
COMMON_WORD = 100  # jieba's count from which a word it knows enters the lexicon
RARE_READING = 1000  # a character's other readings weigh this much less than its first
COINED_USES = 3  # a word jieba does not know counts from this many uses in the examples
PROJECT_BOOST = 2000  # a project word weighs as if jieba had counted it this often per use
PLACE_USES = 500
SIDE_BY_SIDE = 2.0  # weight of the log count of two characters side by side
BEAM = 8  # readings kept at each point of the spelling
# After a house number (3 dong is 3栋, wu hao lou 五号楼, 2 dan yuan 2单元) these win; 室 only
# ends a run ("502 shi"), since "300 shi bu shi" is 是. Longer numbers are phones or prices.
HOUSE_SUFFIXES = frozenset({"号楼", "号院", "号", "栋", "幢", "单元", "楼", "层", "弄"})
LAST_SUFFIXES = frozenset({"室"})
HOUSE_DIGITS = 4
NUMERALS = frozenset(DIGITS) | {"十"}

Entry = tuple[str, float, frozenset]  # word, log weight, offsets where its syllables end


@functools.lru_cache(maxsize=None)  # some 1,500 marked syllables
def plain(reading: str) -> str:
    """A tone-marked reading without its tone: "lǜ" -> "lv", as residents type it."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")  # ü, ǜ: u and marks
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_building = threading.Lock()


def warm_up() -> None:
    """Build the lexicon in the background (some 4 seconds), so that the first resident
    who types pinyin does not wait for it."""
    threading.Thread(target=language, name="pinyin-lexicon", daemon=True).start()


def language() -> tuple[dict[str, list[Entry]], Counter]:
    """The lexicon (spelling, syllables run together -> entries) and how often each pair
    of characters stands side by side in the training examples; built once."""
    with _building:
        return _language()


@functools.lru_cache(maxsize=1)
def _language() -> tuple[dict[str, list[Entry]], Counter]:
    import jieba
    from pypinyin import Style, lazy_pinyin
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    from nlu.gazetteer import domain_words, place_names
    from nlu.model import training_examples

    jieba.setLogLevel(60)
    jieba.initialize()
    frequency = jieba.dt.FREQ
    first_reading = {chr(code): plain(marked.split(",")[0]) for code, marked in pinyin_dict.items()}
    weights: dict[tuple[str, tuple[str, ...]], float] = {}

    def add(word: str, syllables, weight: float) -> None:
        syllables = tuple(syllables)
        if weight > 0 and syllables and all(syllables) and not NOT_TYPED.intersection(syllables):
            weights[word, syllables] = max(weights.get((word, syllables), 0.0), weight)

    for code, marked in list(pinyin_dict.items()):
        for n, reading in enumerate(marked.split(",")):
            add(chr(code), [plain(reading)], frequency.get(chr(code), 0) / (1 if n == 0 else RARE_READING))
    for word, marked in phrases_dict.items():
        if HANZI.fullmatch(word):
            add(word, [plain(r[0]) for r in marked], frequency.get(word, 0))
    # A copy: the tokenizer may add its user dictionary to jieba's meanwhile.
    for word, count in list(frequency.items()):
        if count >= COMMON_WORD and len(word) > 1 and HANZI.fullmatch(word) and word not in phrases_dict:
            add(word, [first_reading.get(c, "") for c in word], count)

    uses: Counter = Counter()
    pairs: Counter = Counter()
    for _, text in training_examples():
        uses.update(w for w in jieba.lcut(text) if HANZI.fullmatch(w) and len(w) > 1)
        for run in HANZI.findall(text):
            pairs.update(run[i:i + 2] for i in range(len(run) - 1))
    for name in [n.surface for n in place_names()] + domain_words():
        if HANZI.fullmatch(name):
            uses[name] += PLACE_USES
    for word, count in uses.items():
        if word in frequency or count >= COINED_USES:  # not a typo made on purpose ("电提坏了")
            add(word, lazy_pinyin(word, style=Style.NORMAL, errors="ignore"),
                frequency.get(word, 0) + PROJECT_BOOST * count)

    total = sum(weights.values())
    spelled: dict[str, list[Entry]] = {}
    for (word, syllables), weight in weights.items():
        ends = frozenset(sum(len(s) for s in syllables[:n + 1]) for n in range(len(syllables)))
        spelled.setdefault("".join(syllables), []).append((word, math.log(weight / total), ends))
    return spelled, pairs


def spell(run: str, min_syllables: int) -> str | None:
    """The characters a latin run spells, or None when it is not pinyin of at least
    ``min_syllables`` syllables. A space or apostrophe ends a syllable; digits stay digits."""
    spelled, pairs = language()
    letters, breaks, numbers = "", {0}, {}
    for part in re.findall(r"[a-z]+|[0-9]+|[ '’]", run.lower()):
        if part.isdigit():
            at = len(letters)
            numbers[at] = f"{numbers[at]} {part}" if at in numbers else part
        elif part.isalpha():
            letters += part
        breaks.add(len(letters))
    if not letters:
        return None
    stops, numbered = sorted(breaks), sorted(numbers)
    # beams[i]: {last character: (score, text, syllables)} for letters[:i]
    beams: list[dict[str, tuple[float, str, int]]] = [{} for _ in range(len(letters) + 1)]
    beams[0][""] = (0.0, numbers.get(0, ""), 0)
    for start in range(len(letters)):
        if not beams[start]:
            continue
        states = sorted(beams[start].items(), key=lambda s: -s[1][0])[:BEAM]
        house_number = start in numbers and len(numbers[start]) <= HOUSE_DIGITS
        # A word does not run across a number; the resident's spaces within reach.
        after = bisect.bisect_right(numbered, start)
        last_end = min(len(letters), start + LONGEST_WORD, numbered[after] if after < len(numbered) else len(letters))
        near = stops[bisect.bisect_right(stops, start):bisect.bisect_left(stops, last_end)]
        for end in range(start + 1, last_end + 1):
            inner = {b - start for b in near if b < end}
            for word, weight, ends in spelled.get(letters[start:end], ()):
                if not inner <= ends:
                    continue  # the resident's space falls inside one of its syllables
                suffix = word in HOUSE_SUFFIXES or (word in LAST_SUFFIXES and end == len(letters))
                for last, (score, text, count) in states:
                    if suffix and (house_number or last in NUMERALS):
                        gain = 0.0
                    elif start in numbers:
                        gain = weight
                    else:  # characters the examples put side by side: 被|占 rather than 被|战
                        gain = weight + SIDE_BY_SIDE * math.log1p(pairs.get(last + word[0], 0))
                    candidate = (score + gain, text + word + numbers.get(end, ""), count + len(ends))
                    if word[-1] not in beams[end] or candidate[0] > beams[end][word[-1]][0]:
                        beams[end][word[-1]] = candidate
    if not beams[len(letters)]:
        return None
    _, text, count = max(beams[len(letters)].values())
    return text if count >= min_syllables else None


def read_pinyin(text: str) -> str:
    """The text with its latin read as the characters it spells, where all of it spells
    pinyin (see the module's docstring)."""
    if text.startswith("/") or not re.search("[A-Za-z]{2}", text):
        return text  # a command, or no latin words
    if not all(spell(word, 1) for word in set(LATIN_WORD.findall(text))):
        return text  # English (or a name) somewhere: the resident writes latin as meant
    least = MIN_SYLLABLES_IN_TEXT if HANZI.search(text) else MIN_SYLLABLES_ALONE
    for run in reversed(list(LATIN_RUN.finditer(text))):
        found = LATIN_WORD.search(run.group()) and spell(run.group(), least)
        if found:
            text = text[:run.start()] + found + text[run.end():]
    return text
