"""Several problems in one message are found clause by clause (nlu.components), not only
when the whole message's ranking happens to leave a second kind 0.15."""
import pytest

from nlu.components import clause_spans
from nlu.intents import canonical


def pieces(text):
    return [text[a:b] for a, b in clause_spans(text)]


def test_clauses_split_at_sentence_ends_and_the_words_that_add_a_problem():
    assert pieces("楼下垃圾没人清，臭得不行。另外门口总有车乱停") == ["楼下垃圾没人清，臭得不行", "门口总有车乱停"]
    assert pieces("健身器材坏了好久；地下车库有人乱停车") == ["健身器材坏了好久", "地下车库有人乱停车"]
    # A comma does not end a problem, and a short tail belongs to the clause before it.
    assert pieces("3号楼电梯坏了三天了，老人下不了楼") == []
    assert pieces("垃圾好几天没人清了。臭死了！") == []


def test_a_clause_adds_its_kind_beside_the_one_the_whole_message_gives():
    parse = {"intent": {"name": "report_noise", "confidence": 0.9},
             "intent_ranking": [{"name": "report_noise", "confidence": 0.9},
                                {"name": "report_environment", "confidence": 0.05}],
             "clause_categories": ["noise", "environment", "other"]}
    assert canonical(parse)["category"] == "noise"
    assert canonical(parse)["categories"] == ["noise", "environment", "other"]


@pytest.mark.parametrize("text, kinds", [
    ("我家楼下烧烤摊每天半夜还在吆喝，吵得睡不着。还有他们的油烟把晾的衣服都熏黑了", {"noise", "environment"}),
    ("小区里的健身器材坏了好久没人修；另外地下车库总有人把车停在别人的车位上", {"repair", "parking"}),
    ("独居的王奶奶好几天没出门了，我有点担心。顺便说一下，楼道里的消防栓玻璃碎了", {"elderly_care", "safety"}),
])
def test_two_problems_in_one_message_are_both_found(understanding, dev_now, text, kinds):
    heard = understanding.parse(text, dev_now)
    assert heard["intent"] == "report" and set(heard["categories"]) >= kinds, heard
