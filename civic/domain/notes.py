"""The notes the system writes into a case's history itself, in Chinese.

A history note is read as it was written: by staff (``python -m civic cases show``,
the escalation and reopening deliveries) and by residents (their case's history).
Notes of people are their own words; the notes the system writes on its own (why a
case went to whom, which deadlines an escalation missed, why a case was routed
again) come from the vocabulary below. It is domain vocabulary, as the step names
签收/联系/办结 of DESIGN.md's deadline table are: civic imports neither actions nor
bot, so these words live here, not in the messages module (actions/texts.py).
"""
from __future__ import annotations

from typing import Iterable

from civic.domain import routing

# The three deadlines of a case (Case.overdue names them by these keys).
STEPS = {"sign": "签收", "contact": "联系", "resolve": "办结"}

# Why routing chose the assignee (routing.Assignment.reason).
ROUTED = {
    routing.TRIAGE: "地址未对应到网格，由街道综合指挥中心分派",
    routing.CATEGORY: "按类别派给所在网格的负责人员",
    routing.ON_DUTY: "非工作时间的紧急事项，派给值班的应急人员",
    routing.SAFETY: "安全隐患，派给所在网格的应急人员",
    routing.FALLBACK: "所在网格没有对应人员，由街道综合指挥中心分派",
}
RETURNED_TO_TRIAGE = "退回后由街道综合指挥中心重新分派"
REOPENED_BY_RATING = "居民评价后重新办理"


def overdue(steps: Iterable[str], *, hurried: bool = False) -> str:
    """超时未签收、联系: the deadlines an escalation missed (居民催办，… when a resident's
    催办 set it off)."""
    return ("居民催办，" if hurried else "") + "超时未" + "、".join(STEPS[step] for step in steps)
