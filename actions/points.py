"""Volunteer points: balance, history, catalogue, and redeem_form."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions import runtime
from actions.common import FormValidator, accept, button, choice, reject, text, yes_or_no
from actions.texts import local
from civic.domain.errors import DomainError
from civic.domain.points import KINDS, NotEnoughPoints, OutOfStock, RewardNotFound
from civic.services import points

HISTORY_LINES = 5


def _summary(tracker):
    civic, actor = runtime.civic(), runtime.resident(tracker)
    with civic.uow() as uow:
        return (points.balance(uow, tracker.sender_id, actor=actor),
                points.history(uow, tracker.sender_id, HISTORY_LINES, actor=actor),
                points.catalogue(uow))


class ActionShowPoints(Action):
    def name(self) -> str:
        return "action_show_points"

    def run(self, dispatcher, tracker, domain):
        balance, history, catalogue = _summary(tracker)
        lines = [f"您的志愿积分：{balance} 分。"]
        if history:
            lines.append("最近记录：")
            lines += [f"· {local(e.at):%m-%d} {'+' if e.amount > 0 else ''}{e.amount} "
                      f"{KINDS.get(e.kind, '') if e.kind else ''} {e.reason}".rstrip() for e in history]
        else:
            lines.append("还没有积分记录。参加社区志愿服务后，工作人员会为您记分。")
        lines.append("可兑换的礼品：")
        lines += [f"· {r.name}：{r.price} 分" + ("（已兑完）" if r.stock <= 0 else f"（剩 {r.stock} 件）")
                  for r in catalogue]
        affordable = [r for r in catalogue if r.stock > 0 and r.price <= balance]
        lines.append("点下面的礼品可以兑换。" if affordable else "积分够了就可以兑换，继续加油！")
        dispatcher.utter_message(text="\n".join(lines),
                                 buttons=[button(f"兑换{r.name}", "redeem", choice=r.id) for r in affordable[:8]])
        return []


class ActionStartRedeem(Action):
    def name(self) -> str:
        return "action_start_redeem"

    def run(self, dispatcher, tracker, domain):
        picked = choice(tracker)
        return [SlotSet("reward", picked), SlotSet("redeem_confirmed", None), SlotSet("form_failures", 0.0)]


class AskReward(Action):
    def name(self) -> str:
        return "action_ask_reward"

    def run(self, dispatcher, tracker, domain):
        balance, _, catalogue = _summary(tracker)
        in_stock = [r for r in catalogue if r.stock > 0]
        dispatcher.utter_message(text=f"您现在有 {balance} 分。想兑换哪一件？",
                                 buttons=[button(f"{r.name}（{r.price}分）", choice=r.id) for r in in_stock[:8]])
        return []


class AskRedeemConfirmed(Action):
    def name(self) -> str:
        return "action_ask_redeem_confirmed"

    def run(self, dispatcher, tracker, domain):
        reward = _reward(tracker.get_slot("reward"))
        dispatcher.utter_message(text=f"确认用 {reward.price} 分兑换“{reward.name}”吗？兑换后凭取货码到社区领取。",
                                 buttons=[button("确认兑换", choice="yes"), button("不换了", choice="no")])
        return []


def _reward(reward_id):
    with runtime.civic().uow() as uow:
        return next((r for r in points.catalogue(uow) if r.id == reward_id), None)


class ValidateRedeemForm(FormValidator):
    def name(self) -> str:
        return "validate_redeem_form"

    def validate_reward(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker) or value
        with runtime.civic().uow() as uow:
            catalogue = points.catalogue(uow)
            balance = points.balance(uow, tracker.sender_id, actor=runtime.resident(tracker))
        typed = text(tracker)
        reward = next((r for r in catalogue if r.id == picked or (typed and r.name in typed)), None)
        if reward is None:
            return reject(dispatcher, tracker, "reward", "没找到这件礼品，请点下面列出的一项。")
        if reward.stock <= 0:
            return reject(dispatcher, tracker, "reward", f"“{reward.name}”已经兑完了，请换一件，补货后会在这里更新。")
        if reward.price > balance:
            return reject(dispatcher, tracker, "reward",
                          f"“{reward.name}”需要 {reward.price} 分，您现在有 {balance} 分，还差 {reward.price - balance} 分。"
                          "可以换一件，或参加志愿服务攒积分。")
        return accept("reward", reward.id)

    def validate_redeem_confirmed(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        answer = yes_or_no(tracker)
        if answer is None:
            return reject(dispatcher, tracker, "redeem_confirmed", "请点“确认兑换”或“不换了”。")
        return accept("redeem_confirmed", "yes" if answer else "no")


class ActionSubmitRedeem(Action):
    def name(self) -> str:
        return "action_submit_redeem"

    def run(self, dispatcher, tracker, domain):
        reward_id, confirmed = tracker.get_slot("reward"), tracker.get_slot("redeem_confirmed")
        events = [SlotSet("reward", None), SlotSet("redeem_confirmed", None)]
        if confirmed != "yes":
            dispatcher.utter_message(text="好的，没有兑换，积分不变。")
            return events
        civic = runtime.civic()
        try:
            with civic.uow() as uow:
                redemption = points.redeem(uow, actor=runtime.resident(tracker), resident_id=tracker.sender_id,
                                           reward_id=reward_id, now=runtime.now(tracker))
                balance = points.balance(uow, tracker.sender_id, actor=runtime.resident(tracker))
        except NotEnoughPoints as short:
            dispatcher.utter_message(text=f"积分不够：需要 {short.price} 分，您现在有 {short.balance} 分。积分没有扣。")
            return events
        except (OutOfStock, RewardNotFound):
            dispatcher.utter_message(text="这件礼品刚刚兑完了，积分没有扣。发“查积分”看看别的礼品。")
            return events
        except DomainError:
            dispatcher.utter_message(text="兑换没有成功，积分没有扣。请稍后再试，或发“转人工”。")
            return events
        dispatcher.utter_message(text=f"兑换成功！取货码：{redemption.code}\n请在工作时间凭取货码到社区服务站领取。"
                                      f"剩余积分 {balance} 分。")
        return events
