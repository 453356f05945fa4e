"""Volunteer points: balance, history, catalogue, and redeem_form.

Points are awarded first by a grid worker (a points staff role) through
civic.services.points.award; the catalogue is data/rewards.yml, synced at bootstrap.
"""
import pytest

from actions.points import (ActionShowPoints, ActionStartRedeem, ActionSubmitRedeem, AskRedeemConfirmed,
                            AskReward, ValidateRedeemForm)
from action_support import award, balance, make_tracker, payloads, pick, run, slot_events, texts

FORM = "redeem_form"


def catalogue(civic):
    from civic.services import points

    with civic.uow() as uow:
        return {r.id: r for r in points.catalogue(uow)}


def validate(slot, value, dispatcher, domain, **kw):
    kw.setdefault("requested_slot", slot)
    kw.setdefault("active_loop", FORM)
    kw.setdefault("text", value)
    return getattr(ValidateRedeemForm(), f"validate_{slot}")(value, dispatcher, make_tracker(**kw), domain)


def test_redeem_form_validator_handles_every_required_slot(domain):
    assert domain["forms"][FORM]["required_slots"] == ["reward", "redeem_confirmed"]


def test_no_points_yet(civic, dispatcher, domain):
    run(ActionShowPoints(), dispatcher, make_tracker("查积分", "check_points"), domain)
    said = texts(dispatcher)
    assert "您的志愿积分：0 分。" in said and "还没有积分记录" in said
    assert "· 毛巾：20 分（剩 50 件）" in said and "· 鸡蛋30枚：50 分（已兑完）" in said
    assert payloads(dispatcher) == []


def test_balance_history_and_what_can_be_afforded(civic, dispatcher, domain):
    award(civic, amount=30, key="k-1", reason="协助疏导交通")
    award(civic, amount=15, key="k-2", reason="楼道清扫", now="2026-11-18T11:00:00+08:00")
    run(ActionShowPoints(), dispatcher, make_tracker("查积分", "check_points"), domain)
    said = texts(dispatcher)
    assert "您的志愿积分：45 分。" in said
    assert "· 11-18 +30 公共美德 协助疏导交通" in said and "· 11-18 +15 公共美德 楼道清扫" in said
    assert said.index("楼道清扫") < said.index("协助疏导交通")  # newest first
    assert payloads(dispatcher) == ['/redeem{"choice": "towel"}', '/redeem{"choice": "soy-sauce"}',
                                    '/redeem{"choice": "haircut-voucher"}', '/redeem{"choice": "laundry-liquid"}']


def test_out_of_stock_items_are_not_offered_even_when_affordable(civic, dispatcher, domain):
    award(civic, amount=55)
    run(ActionShowPoints(), dispatcher, make_tracker("查积分", "check_points"), domain)
    assert '/redeem{"choice": "eggs-30"}' not in payloads(dispatcher)


def test_another_residents_points_are_not_shown(civic, dispatcher, domain):
    award(civic, resident="r-2", amount=80)
    run(ActionShowPoints(), dispatcher, make_tracker("查积分", "check_points"), domain)
    assert "您的志愿积分：0 分。" in texts(dispatcher)


def test_a_reward_button_starts_redeeming_it(civic, dispatcher, domain):
    events = run(ActionStartRedeem(), dispatcher, make_tracker("/redeem", "redeem", pick("towel"),
                                                               slots={"redeem_confirmed": "yes"}), domain)
    assert slot_events(events) == {"reward": "towel", "redeem_confirmed": None, "form_failures": 0.0}


def test_the_reward_question_lists_what_is_in_stock(civic, dispatcher, domain):
    award(civic, amount=25)
    run(AskReward(), dispatcher, make_tracker("我要兑换", "redeem"), domain)
    assert "您现在有 25 分" in texts(dispatcher)
    offered = payloads(dispatcher)
    assert '/inform{"choice": "towel"}' in offered and '/inform{"choice": "eggs-30"}' not in offered
    assert len(offered) == 8


def test_the_confirmation_question_names_reward_and_price(civic, dispatcher, domain):
    run(AskRedeemConfirmed(), dispatcher, make_tracker("x", slots={"reward": "rice-5jin"}), domain)
    assert "确认用 60 分兑换“大米5斤”吗" in texts(dispatcher)
    assert payloads(dispatcher) == ['/inform{"choice": "yes"}', '/inform{"choice": "no"}']


def test_too_few_points_are_refused_with_the_shortfall(civic, dispatcher, domain):
    award(civic, amount=50)
    updates = validate("reward", "rice-5jin", dispatcher, domain, text='/redeem{"choice": "rice-5jin"}',
                       intent="redeem", entities=pick("rice-5jin"))
    assert updates == {"reward": None, "form_failures": 1.0}
    assert "需要 60 分，您现在有 50 分，还差 10 分" in texts(dispatcher)


def test_an_out_of_stock_reward_is_refused(civic, dispatcher, domain):
    award(civic, amount=100)
    updates = validate("reward", "eggs-30", dispatcher, domain, text='/inform{"choice": "eggs-30"}',
                       entities=pick("eggs-30"))
    assert updates["reward"] is None and "已经兑完了" in texts(dispatcher)


def test_an_unknown_reward_is_refused(civic, dispatcher, domain):
    updates = validate("reward", "金条", dispatcher, domain)
    assert updates["reward"] is None and "没找到这件礼品" in texts(dispatcher)


def test_a_reward_named_in_words_is_found(civic, dispatcher, domain):
    award(civic, amount=20)
    assert validate("reward", "换个毛巾", dispatcher, domain) == {"reward": "towel", "form_failures": 0.0}


@pytest.mark.parametrize("said,entities,intent,expected", [
    ('/inform{"choice": "yes"}', pick("yes"), "inform", "yes"), ("好的", [], "affirm", "yes"),
    ('/inform{"choice": "no"}', pick("no"), "inform", "no"), ("不要", [], "deny", "no"),
    ("嗯？", [], "inform", None),
])
def test_the_confirmation(civic, dispatcher, domain, said, entities, intent, expected):
    updates = validate("redeem_confirmed", said, dispatcher, domain, entities=entities, intent=intent)
    assert updates["redeem_confirmed"] == expected


def test_the_form_checks_a_reward_button_at_once(civic, dispatcher, domain):
    award(civic, amount=10)
    tracker = make_tracker('/redeem{"choice": "towel"}', "redeem", pick("towel"), active_loop=FORM,
                           candidates={"reward": "towel"})
    slots = slot_events(run(ValidateRedeemForm(), dispatcher, tracker, domain))
    assert slots["reward"] is None and "还差 10 分" in texts(dispatcher)


def test_redeeming_gives_a_pickup_code_and_takes_the_points(civic, dispatcher, domain):
    award(civic, amount=50)
    stock = catalogue(civic)["towel"].stock
    events = run(ActionSubmitRedeem(), dispatcher, make_tracker("确认", "affirm", slots={
        "reward": "towel", "redeem_confirmed": "yes"}), domain)
    said = texts(dispatcher)
    assert "兑换成功！取货码：" in said and "剩余积分 30 分" in said
    code = said.split("取货码：")[1].split("\n")[0]
    assert len(code) >= 4 and code.isalnum()
    assert balance(civic) == 30 and catalogue(civic)["towel"].stock == stock - 1
    assert slot_events(events) == {"reward": None, "redeem_confirmed": None}


def test_saying_no_redeems_nothing(civic, dispatcher, domain):
    award(civic, amount=50)
    run(ActionSubmitRedeem(), dispatcher, make_tracker("不换了", "deny", slots={
        "reward": "towel", "redeem_confirmed": "no"}), domain)
    assert "没有兑换，积分不变" in texts(dispatcher) and balance(civic) == 50


def test_points_spent_meanwhile_are_answered_at_submit(civic, dispatcher, domain):
    award(civic, amount=50)
    run(ActionSubmitRedeem(), dispatcher, make_tracker("确认", "affirm", slots={
        "reward": "rice-5jin", "redeem_confirmed": "yes"}), domain)
    assert "积分不够：需要 60 分，您现在有 50 分。积分没有扣。" in texts(dispatcher)
    assert balance(civic) == 50


def test_out_of_stock_at_submit(civic, dispatcher, domain):
    award(civic, amount=100)
    run(ActionSubmitRedeem(), dispatcher, make_tracker("确认", "affirm", slots={
        "reward": "eggs-30", "redeem_confirmed": "yes"}), domain)
    assert "刚刚兑完了" in texts(dispatcher) and balance(civic) == 100
