"""One written form for everything downstream: the model, the parsers and the offsets.

Full-width to half-width, pinyin typed without an input method to characters
(nlu.pinyin), traditional to simplified, and Chinese numerals to digits inside house
numbers only (三号楼二单元 -> 3号楼2单元, while 十分吵 stays).
"""
import functools
import re
import unicodedata

from nlu.numerals import CN_NUMERAL, parse_number
from nlu.pinyin import read_pinyin

# Suffixes that make a numeral part of a house number. 层, 座 and 期 are left out on
# purpose: 一层灰, 一座桥 and 这一期 are far more common in complaints than floors.
_HOUSE_SUFFIX = "号楼|号院|号|栋|幢|单元|室|楼|弄"
_HOUSE_NUMBER = re.compile(f"({CN_NUMERAL}+)(?={_HOUSE_SUFFIX})")
# A room number read digit by digit right after the building or unit: 3单元五零二.
_ROOM_NUMBER = re.compile("(?:(?<=单元)|(?<=号楼)|(?<=栋)|(?<=幢))([零〇一二三四五六七八九]{3,4})")
_SPACES = re.compile(r"[ \t\r\n]+")


@functools.lru_cache(maxsize=1)
def _to_simplified():
    from opencc import OpenCC

    return OpenCC("t2s").convert


def _digits(match: re.Match) -> str:
    value = parse_number(match.group(1))
    return match.group(1) if value is None else str(value)


def _house_digits(match: re.Match) -> str:
    # 两 alone counts (两栋楼, 两单元) unless 号 makes it a number (两号楼).
    if match.group(1) == "两" and not match.string.startswith("号", match.end()):
        return match.group(1)
    return _digits(match)


def normalise(text: str) -> str:
    """Return the normal form of a resident's message."""
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub(" ", text).strip()
    text = read_pinyin(text)
    if not text.isascii():
        text = _to_simplified()(text)
        text = _HOUSE_NUMBER.sub(_house_digits, text)
        text = _ROOM_NUMBER.sub(_digits, text)
    return text
