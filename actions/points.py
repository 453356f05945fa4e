"""Volunteer points: balance, history, catalogue, and redeem_form."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions import runtime, texts
from actions.common import NO, YES, FormValidator, accept, button, choice, intent, reject, text, yes_or_no
from actions.texts import local
from civic.domain.errors import DomainError
from civic.domain.points import KINDS, NotEnoughPoints, OutOfStock, RewardNotFound
from civic.services import points

HISTORY_LINES = 5


def _summary(tracker):
    civic, actor = runtime.civic(), runtime.resident(tracker)
    with civic.reader() as uow:
        return (points.balance(uow, tracker.sender_id, actor=actor),
                points.history(uow, tracker.sender_id, HISTORY_LINES, actor=actor),
                points.catalogue(uow))


class ActionShowPoints(Action):
    def name(self) -> str:
        return "action_show_points"

    def run(self, dispatcher, tracker, domain):
        balance, history, catalogue = _summary(tracker)
        lines = [texts.POINTS_BALANCE.format(balance=balance)]
        if history:
            lines.append(texts.POINTS_RECENT)
            lines += [texts.POINTS_ENTRY.format(day=f"{local(e.at):%m-%d}",
                                                amount=f"{'+' if e.amount > 0 else ''}{e.amount}",
                                                kind=KINDS.get(e.kind, "") if e.kind else "",
                                                reason=e.reason).rstrip()
                      for e in history]
        else:
            lines.append(texts.NO_POINTS_YET)
        lines.append(texts.CATALOGUE)
        lines += [texts.CATALOGUE_ITEM.format(name=r.name, price=r.price, stock=texts.SOLD_OUT if r.stock <= 0
                                              else texts.IN_STOCK.format(stock=r.stock))
                  for r in catalogue]
        affordable = [r for r in catalogue if r.stock > 0 and r.price <= balance]
        lines.append(texts.PRESS_TO_REDEEM if affordable else texts.KEEP_GOING)
        dispatcher.utter_message(text="\n".join(lines),
                                 buttons=[button(texts.REDEEM_ITEM.format(name=r.name), "redeem", choice=r.id)
                                          for r in affordable[:8]])
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
        dispatcher.utter_message(text=texts.ASK_REWARD.format(balance=balance),
                                 buttons=[button(texts.REWARD_ITEM.format(name=r.name, price=r.price), choice=r.id)
                                          for r in in_stock[:8]])
        return []


class AskRedeemConfirmed(Action):
    def name(self) -> str:
        return "action_ask_redeem_confirmed"

    def run(self, dispatcher, tracker, domain):
        reward = _reward(tracker.get_slot("reward"))
        dispatcher.utter_message(text=texts.CONFIRM_REDEEM.format(price=reward.price, name=reward.name),
                                 buttons=[button(texts.REDEEM_YES, choice="yes"),
                                          button(texts.REDEEM_NO, choice="no")])
        return []


def _reward(reward_id):
    with runtime.civic().reader() as uow:
        return next((r for r in points.catalogue(uow) if r.id == reward_id), None)


class ValidateRedeemForm(FormValidator):
    def name(self) -> str:
        return "validate_redeem_form"

    def typed_words(self, slot, tracker) -> bool:
        return slot == "redeem_confirmed" and intent(tracker) != "cancel" \
            and bool(YES.match(text(tracker)) or NO.match(text(tracker)))

    def validate_reward(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        picked = choice(tracker) or value
        with runtime.civic().reader() as uow:
            catalogue = points.catalogue(uow)
            balance = points.balance(uow, tracker.sender_id, actor=runtime.resident(tracker))
        typed = text(tracker)
        reward = next((r for r in catalogue if r.id == picked or (typed and r.name in typed)), None)
        if reward is None:
            return reject(dispatcher, tracker, "reward", texts.NO_SUCH_REWARD)
        if reward.stock <= 0:
            return reject(dispatcher, tracker, "reward", texts.REWARD_SOLD_OUT.format(name=reward.name))
        if reward.price > balance:
            return reject(dispatcher, tracker, "reward", texts.TOO_FEW_POINTS.format(
                name=reward.name, price=reward.price, balance=balance, short=reward.price - balance))
        return accept("reward", reward.id)

    def validate_redeem_confirmed(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        answer = yes_or_no(tracker)
        if answer is None:
            return reject(dispatcher, tracker, "redeem_confirmed", texts.REDEEM_OR_NOT)
        return accept("redeem_confirmed", "yes" if answer else "no")


class ActionSubmitRedeem(Action):
    def name(self) -> str:
        return "action_submit_redeem"

    def run(self, dispatcher, tracker, domain):
        reward_id, confirmed = tracker.get_slot("reward"), tracker.get_slot("redeem_confirmed")
        events = [SlotSet("reward", None), SlotSet("redeem_confirmed", None)]
        if confirmed != "yes":
            dispatcher.utter_message(text=texts.NOT_REDEEMED)
            return events
        civic = runtime.civic()
        try:
            with civic.uow() as uow:
                redemption = points.redeem(uow, actor=runtime.resident(tracker), resident_id=tracker.sender_id,
                                           reward_id=reward_id, now=runtime.now(tracker))
                balance = points.balance(uow, tracker.sender_id, actor=runtime.resident(tracker))
        except NotEnoughPoints as short:
            dispatcher.utter_message(text=texts.SHORT_OF_POINTS.format(price=short.price, balance=short.balance))
            return events
        except (OutOfStock, RewardNotFound):
            dispatcher.utter_message(text=texts.JUST_SOLD_OUT)
            return events
        except DomainError:
            dispatcher.utter_message(text=texts.REDEEM_FAILED)
            return events
        dispatcher.utter_message(text=texts.REDEEMED.format(code=redemption.code, balance=balance))
        return events
