"""A long message is no bare answer or greeting."""
from nlu.intents import overrule_short_intents, residue

RANKING = [{"name": "greet", "confidence": 0.5}, {"name": "report_parking", "confidence": 0.3},
           {"name": "inform", "confidence": 0.1}, {"name": "report_noise", "confidence": 0.1}]


def test_a_greeting_with_a_report_in_it_is_the_report():
    text = "早上好！打扰了。书香苑消防通道上昨晚又停了两辆车"
    ranking = overrule_short_intents(text, [], RANKING)
    assert [r["name"] for r in ranking] == ["report_parking", "report_noise"]
    assert round(ranking[0]["confidence"], 3) == 0.75  # 0.3 of the 0.4 left


def test_a_bare_address_stays_an_answer():
    text = "望江花园3号楼2单元"
    entities = [{"entity": "address", "start": 0, "end": len(text), "value": text}]
    assert overrule_short_intents(text, entities, [{"name": "inform", "confidence": 0.9},
                                                   {"name": "report_repair", "confidence": 0.1}]) is None


def test_a_short_greeting_stays_a_greeting():
    assert overrule_short_intents("你好呀，在吗？", [], RANKING) is None


def test_a_long_message_of_another_intent_is_left_alone():
    ranking = [{"name": "report_noise", "confidence": 0.8}, {"name": "greet", "confidence": 0.2}]
    assert overrule_short_intents("楼上每天半夜跺脚吵得人睡不着觉", [], ranking) is None


def test_the_residue_leaves_out_entities_and_punctuation():
    text = "地址是：望江花园3号楼，电话13812345678"
    entities = [{"start": 4, "end": 11}, {"start": 14, "end": 25}]
    assert residue(text, entities) == "地址是电话"


def test_confidences_stay_probabilities_when_the_shares_add_up_to_more_than_one():
    ranking = [{"name": "inform", "confidence": 0.6}, {"name": "report_noise", "confidence": 0.45}]
    overruled = overrule_short_intents("楼上每天半夜跺脚吵得人睡不着觉", [], ranking)
    assert overruled[0]["confidence"] == 1.0


def test_a_message_of_nothing_but_a_time_is_a_bare_answer():
    from nlu.intents import bare_answer

    text = "大概昨天晚上吧"
    entities = [{"entity": "time", "start": 2, "end": 6, "value": "2026-11-17"}]
    ranking = bare_answer(text, entities, [{"name": "out_of_scope", "confidence": 0.4},
                                           {"name": "inform", "confidence": 0.3},
                                           {"name": "report_noise", "confidence": 0.3}])
    assert ranking[0] == {"name": "inform", "confidence": 0.5}
    assert [r["name"] for r in ranking[1:]] == ["out_of_scope", "report_noise"]
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-9


def test_a_message_that_says_more_than_its_time_is_left_alone():
    from nlu.intents import bare_answer

    text = "昨天晚上楼下吵到半夜"
    entities = [{"entity": "time", "start": 0, "end": 4, "value": "2026-11-17"}]
    assert bare_answer(text, entities, [{"name": "report_noise", "confidence": 0.9}]) is None
    assert bare_answer("在吗", [], [{"name": "greet", "confidence": 0.9}]) is None


def test_a_mediator_named_alone_is_an_answer_but_a_request_about_one_is_not():
    from nlu.gazetteer import mediator_names
    from nlu.intents import bare_answer

    names = mediator_names()
    assert "钱立新" in names  # data/district.yml
    ranking = [{"name": "book_mediation", "confidence": 0.6}, {"name": "inform", "confidence": 0.1}]
    assert bare_answer("钱立新调解员", [], ranking, names)[0]["name"] == "inform"
    assert bare_answer("就找陆慧老师吧", [], ranking, names)[0]["name"] == "inform"
    assert bare_answer("我想约钱立新调解一下邻居的事", [], ranking, names) is None
    assert bare_answer("王大明", [], ranking, names) is None  # not a mediator


def test_my_phone_number_said_in_words_is_a_bare_answer():
    from nlu.intents import bare_answer

    text = "我的手机号是15071234567"
    entities = [{"entity": "phone", "start": 6, "end": 17, "value": "15071234567"}]
    assert bare_answer(text, entities, [{"name": "my_data", "confidence": 0.7}])[0]["name"] == "inform"


def test_an_answer_that_describes_in_a_few_words_stays_an_answer():
    # Asked "具体是什么问题", a resident answers in eleven characters: still an answer.
    ranking = [{"name": "inform", "confidence": 0.5}, {"name": "report_parking", "confidence": 0.4}]
    assert overrule_short_intents("有三四辆，停了快一个月了", [], ranking) is None
    assert overrule_short_intents("有三四辆，停了快一个月了，堵得救护车都进不来", [], ranking) is not None
