"""A letter is filed by what its first sentence asks, not by the objects its background
mentions (nlu.components.lead_span), and words no example used still count for their
topic (data/topics.yml)."""


def test_a_letter_about_a_late_delivery_is_not_filed_by_the_lifts_it_mentions(understanding, dev_now):
    letter = ("开发商延期交房已经一年多了，合同上写的去年六月交房，到现在还没有消息。小区里电梯还没装好，"
              "地下车库也一直漏水，路灯也不亮，业主们多次找开发商都没有结果，希望有关部门督促开发商尽快交房。")
    assert understanding.parse(letter, dev_now)["intent"] == "out_of_scope"


def test_a_letter_about_a_broken_lift_is_filed_as_repair_though_it_blames_the_developer(understanding, dev_now):
    letter = ("我们3号楼的电梯已经坏了两个星期了，老人上下楼非常困难。物业说要等开发商的维修资金，"
              "开发商又说钱早就交给物业了，两边相互推诿，到现在也没人来修，希望街道出面协调尽快修好电梯。")
    heard = understanding.parse(letter, dev_now)
    assert (heard["intent"], heard["category"]) == ("report", "repair"), heard


def test_a_mediator_named_alone_answers_the_question(understanding, dev_now):
    assert understanding.parse("钱立新调解员", dev_now)["intent"] == "inform"
    assert understanding.parse("我的手机号是15071234567", dev_now)["intent"] == "inform"
