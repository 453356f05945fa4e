"""Form questions that are plain text and buttons, one action_ask_<slot> each.

Actions rather than utter_ask_ responses: Rasa's validator counts a response as
unused when only a form asks it.
"""
from __future__ import annotations

from rasa_sdk import Action

from actions.common import button

QUESTIONS = {
    "description": ("请用一两句话说说具体是什么问题，比如发生了什么、持续多久了。", []),
    "dispute": ("请用一句话说说是什么纠纷，比如“楼上漏水，和邻居谈不拢赔偿”。", []),
    "other_party": ("对方怎么称呼？（姓名或称呼即可，如“502室王先生”）", []),
    "other_phone": ("方便留对方的手机号吗？调解员会提前联系对方。不方便可以点“跳过”。",
                    [("跳过", "skip")]),
    "mode": ("您想到调解室当面调解，还是线上视频调解？",
             [("到调解室", "in_person"), ("线上调解", "online")]),
    "rate_reason": ("请说说哪里还没解决、或者哪里不满意，我们会重新安排处理。", []),
    "detail_text": ("请输入要补充的情况，我会转给处理这件事的工作人员。", []),
    "new_address": ("请告诉我新的住址，写到小区和楼号，如“望江花园3号楼2单元”。", []),
}


def _question(slot: str, text: str, choices: list[tuple[str, str]]) -> type:
    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=text, buttons=[button(title, choice=value) for title, value in choices])
        return []

    return type(f"Ask_{slot}", (Action,), {"name": lambda self: f"action_ask_{slot}", "run": run})


ASK_ACTIONS = [_question(slot, text, choices) for slot, (text, choices) in QUESTIONS.items()]
