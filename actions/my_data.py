"""My data: what is kept, change the remembered address, delete my data."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions import runtime
from actions.common import FormValidator, accept, button, choice, entity, reject, text, too_long
from actions.texts import PRIVACY, mask_phone
from civic.domain.routing import UNKNOWN, resolve_address
from civic.services import accounts


class ActionMyData(Action):
    def name(self) -> str:
        return "action_my_data"

    def run(self, dispatcher, tracker, domain):
        picked = choice(tracker)
        if picked == "delete" or ("删" in text(tracker) or "注销" in text(tracker)):
            dispatcher.utter_message(
                text="确定删除您的数据吗？会删除您的住址、手机号等资料，并把您的名字和联系方式从工单上去掉。"
                     "已反映、正在办理的工单会保留（不带您的身份），街道会继续办完。",
                buttons=[button("确认删除", "affirm"), button("不删了", "deny")])
            return [SlotSet("pending", "delete_data"), SlotSet("new_address", "unchanged")]
        if picked == "change_address" or "地址" in text(tracker) or "搬" in text(tracker) \
                or "住址" in text(tracker) or entity(tracker, "address"):
            return [SlotSet("new_address", entity(tracker, "address"))]
        resident = runtime.profile(tracker)
        dispatcher.utter_message(
            text=f"我们保存的您的资料：\n住址：{resident.household_address or '未登记'}\n"
                 f"手机：{mask_phone(resident.phone) or '未登记'}\n" + PRIVACY,
            buttons=[button("修改住址", "my_data", choice="change_address"),
                     button("删除我的数据", "my_data", choice="delete")])
        return [SlotSet("new_address", "unchanged")]


class ValidateAddressForm(FormValidator):
    def name(self) -> str:
        return "validate_address_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        return [] if tracker.get_slot("new_address") == "unchanged" else domain_slots

    def validate_new_address(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        value = (entity(tracker, "address") or value or "").strip()
        if len(value) < 3 or too_long(value) or value.startswith("/"):
            return reject(dispatcher, tracker, "new_address", "请写出小区和楼号，如“望江花园3号楼2单元”。")
        if resolve_address(runtime.civic().services.district, value).kind == UNKNOWN:
            dispatcher.utter_message(text=f"“{value}”不在望江街道的网格里，我先照此记下；反映问题时会再跟您确认地点。")
        return accept("new_address", value)


class ActionSubmitAddress(Action):
    def name(self) -> str:
        return "action_submit_address"

    def run(self, dispatcher, tracker, domain):
        value = tracker.get_slot("new_address")
        if value and value != "unchanged":
            runtime.profile(tracker)
            with runtime.civic().uow() as uow:
                accounts.change_address(uow, actor=runtime.resident(tracker), address=value)
            dispatcher.utter_message(text=f"已把您的住址改为：{value}。以后反映问题时我会先问是不是在这里。")
        return [SlotSet("new_address", None)]


def delete_data(dispatcher, tracker) -> list:
    with runtime.civic().uow() as uow:
        kept = accounts.delete_my_data(uow, actor=runtime.resident(tracker), now=runtime.now(tracker))
    dispatcher.utter_message(text=f"已删除您的资料。{kept} 个工单已去掉您的名字和联系方式，街道会继续办完。"
                                  "以后再找我，会重新请您同意资料使用说明。")
    return [SlotSet("welcomed", False)]
