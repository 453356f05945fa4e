"""Pinyin typed on a latin keyboard is read as the characters it spells; English is not."""
import pytest

from nlu.address import find_addresses
from nlu.normalise import normalise


@pytest.mark.parametrize("typed, meant", [
    ("loudao deng huaile haojitian le", "楼道灯坏了好几天了"),
    ("yuyue tiaojie", "预约调解"),  # 调解 here, not the commoner 调节
    ("jifen", "积分"),
    ("mei jie jue", "没解决"),
    ("bu liu le", "不留了"),
    ("xiaofang tongdao bei du le", "消防通道被堵了"),  # 被|堵, as the examples put them
    ("LAOREN SHUAIDAO LE", "老人摔倒了"),
    ("楼下 guangchangwu 每天都跳到十点", "楼下 广场舞 每天都跳到十点"),
    ("3hao lou 2danyuan lou dao deng huai le", "3号楼2单元楼道灯坏了"),
    ("wu hao lou", "5号楼"),  # a numeral spelled out before 号楼, then the house-number digits
    ("jifen?", "积分?"),
    ("loudao deng huaile, kuai lai", "楼道灯坏了, 快来"),
    ("lvhua dai", "绿化带"),  # v for ü, as input methods take it
    ("wo zai xi'an", "我在西安"),
    ("wo de dianhua 13812345678 shi", "我的电话13812345678是"),  # a phone number is no house number
])
def test_pinyin_is_read_as_characters(typed, meant):
    assert normalise(typed) == meant


@pytest.mark.parametrize("typed", [
    "help", "the lift is broken", "my dad fell 爬不起来了", "ok", "no", "hello",
    "就是 noise 特别大,like 电钻",  # one English word keeps the message's latin as written
    "你是siri吗",  # a short latin word inside Chinese is likelier a name than pinyin
    "NBA总决赛谁赢了",
    "asdfgh", "QX-20261102-0150", "/start", "13812345678",
])
def test_english_names_numbers_and_mashing_stay_as_written(typed):
    assert normalise(typed) == typed


def test_a_place_typed_in_pinyin_is_found_as_an_address():
    text = normalise("wangjiang huayuan 3 dong")
    assert text == "望江花园3栋"
    assert [a.value for a in find_addresses(text)] == ["望江花园3栋"]


def test_read_pinyin_is_stable():
    text = normalise("wo jia shui guan lou shui le")
    assert text == "我家水管漏水了" and normalise(text) == text
