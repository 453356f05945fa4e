"""The one masking function: what it hides and what it must leave readable."""
import pytest

from civic.domain.privacy import clean, mask, scrub


@pytest.mark.parametrize("said, shown", [
    ("电话13812345678", "电话138****5678"),
    ("电话 138 1234 5678 找我", "电话 138****5678 找我"),
    ("身份证110101199001011234", "身份证1101**********1234"),
    ("身份证11010119900101123X", "身份证1101**********123X"),
    ("座机0571-87654321", "座机0571-****4321"),
    ("住阳光花园3号楼2单元501室", "住阳光花园3号楼2单元***室"),
    ("3-2-501的邻居", "3-2-***的邻居"),
    ("长安街12号门口", "长安街**号门口"),
])
def test_phones_ids_and_doors_are_masked(said, shown):
    assert mask(said) == shown


@pytest.mark.parametrize("said", [
    "工单 20261127-0001 已受理", "11月27号上午10:00", "望江花园3号楼2单元", "积分 120，取货码 K7M2P9",
    "紧急情况请拨打110、119、120", "12345热线",
])
def test_what_says_where_or_when_stays(said):
    assert mask(said) == said


def test_scrub_removes_one_persons_name_and_reduces_their_address():
    text = "张秀英住和平里5号楼2单元501室，电话13912345678"
    kept = scrub(text, words=("张秀英",), places={"和平里5号楼2单元501室": "和平里"})
    assert kept == "〔已删除〕住和平里，电话139****5678"


def test_clean_keeps_words_and_drops_what_a_terminal_would_obey():
    assert clean("\x1b[2J灯坏了\x00\u200b\r\n第二行\t") == "[2J灯坏了\n第二行"
