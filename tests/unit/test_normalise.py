import pytest

from nlu.normalise import normalise


@pytest.mark.parametrize(
    "raw, normal",
    [
        ("三号楼二单元", "3号楼2单元"),
        ("阳光花园十六栋漏水", "阳光花园16栋漏水"),
        ("3单元五零二室", "3单元502室"),
        ("一百零二号", "102号"),
        ("楼上十分吵", "楼上十分吵"),  # 十分 is "very", not a number
        ("落了一层灰", "落了一层灰"),
        ("３号楼，２单元", "3号楼,2单元"),  # full-width to half-width
        ("望江花園小區的電梯壞了", "望江花园小区的电梯坏了"),  # traditional to simplified
        ("  积分   查询 \n", "积分 查询"),
        ("明天下午三点", "明天下午三点"),  # times keep their numerals; the time parser reads both
        ("HELLO", "HELLO"),
    ],
)
def test_normal_form(raw, normal):
    assert normalise(raw) == normal


def test_normal_form_is_stable():
    text = "清溪新村二十一号楼三单元五零一 楼道灯坏了 十分不方便"
    assert normalise(normalise(text)) == normalise(text)


@pytest.mark.parametrize(
    "raw, normal",
    [
        ("二号楼一单元", "2号楼1单元"),
        ("十二号楼三单元", "12号楼3单元"),
        ("两号楼", "2号楼"),  # 两 with 号 is a number
        ("两栋楼之间", "两栋楼之间"),  # otherwise it counts
        ("两单元都停电", "两单元都停电"),
    ],
)
def test_numerals_at_the_start_of_a_house_number(raw, normal):
    assert normalise(raw) == normal
