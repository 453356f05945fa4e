"""Chinese numerals to integers, for the small numbers of addresses and times."""
import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "[零〇一二两三四五六七八九十百千]"
NUMBER = f"(?:[0-9]+|{CN_NUMERAL}+)"

_DIGIT_STRING = re.compile("[零〇一二三四五六七八九]+")


def parse_number(text: str) -> int | None:
    """Parse 三, 十六, 二十五, 一百零二, 五零二 or 16; None when it is not a number."""
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if len(text) > 1 and _DIGIT_STRING.fullmatch(text):
        # Read digit by digit, as people say room numbers: 五零二 is 502.
        return int("".join(str(DIGITS[c]) for c in text))
    total, current = 0, None
    for char in text:
        if char in DIGITS:
            current = DIGITS[char]
        elif char in UNITS:
            # A bare 十 at the start means 10 (十六 = 16).
            total += (1 if current is None else current) * UNITS[char]
            current = None
        else:
            return None
    return total + (current or 0)

