"""The words of every delivery: an event heard by a recipient in one audience.

``render(due, now, district=None) -> Message`` for a claimed delivery
(civic.adapters.deliveries_repository.Due); ``Renderer(district)`` is the same as a
callable for the dispatcher. WORDS holds one function per (event, audience) the
registry (civic.domain.events) delivers; a test checks that none is missing.

- the reporter hears what happened, with staff notes, and is asked to rate a
  resolved case (two buttons);
- a follower hears the status in neutral words: never a note, a name or a contact;
- staff hear short texts: a new case for them (number, category, tier, grid,
  deadlines), a resident's detail or 催办, an escalation, a booking; the command
  centre's desk a handoff request. Phone numbers are masked: staff texts may be
  posted in a group chat.

All the Chinese words of deliveries are in this module.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Callable

from actions.texts import CATEGORIES, MODES, ROLES, SATISFACTION, STATES, mask_phone, when
from bot.senders import Message
from civic.domain import events as ev
from civic.domain.case import OPEN

OUTCOMES = {"settled": "调解成功", "not_settled": "未能达成一致", "referred_to_court": "建议通过法院解决"}
TIERS = {"urgent": "紧急", "utilities": "水电气热", "ordinary": "一般", "complex": "复杂"}
HANDOFF_REASONS = {"asked": "居民要求", "not_understood": "机器人两次没听懂", "urgent": "紧急情况"}
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


class NoWords(LookupError):
    """No words for this (event, audience): a delivery the registry should not have made."""


def _rate_buttons(number: str) -> list[dict]:
    def payload(value):
        return "/rate_case" + json.dumps({"case_id": number, "choice": value}, ensure_ascii=False)
    return [{"title": "解决了", "payload": payload("solved")},
            {"title": "没解决", "payload": payload("unsolved")}]


def _at(value: str | None, now: dt.datetime) -> str:
    return when(dt.datetime.fromisoformat(value), now) if value else ""


def _note(data: dict) -> str:
    return (data.get("note") or "").strip()


# --- the reporter ---------------------------------------------------------------------


def _head(due) -> str:
    return f"【工单 {due.case_number}】"


def _reporter_resolved(due, now, district):
    text = _head(due) + f"已办结。办理结果：{_note(due.data)}\n请您评价：问题解决了吗？"
    return text, _rate_buttons(due.case_number)


def _reporter_extended(due, now, district):
    due_text = _at(due.data.get("new_due"), now)
    later = f"，新的办结时间：{due_text}" if due_text else ""
    return _head(due) + f"办理需要更多时间{later}。原因：{_note(due.data)}"


REPORTER_WORDS: dict[str, Callable] = {
    ev.SIGNED: lambda due, now, d: _head(due) + "工作人员已签收，正在安排处理。",
    ev.CONTACTED: lambda due, now, d: _head(due) + "工作人员已与您联系。"
    + (f"说明：{_note(due.data)}" if _note(due.data) else ""),
    ev.STARTED: lambda due, now, d: _head(due) + "工作人员已开始处理。",
    ev.PROGRESS: lambda due, now, d: _head(due) + f"办理进展：{_note(due.data)}",
    ev.RESOLVED: _reporter_resolved,
    ev.RETURNED: lambda due, now, d: _head(due) + "正在重新分派给更合适的工作人员，不需要您做什么。",
    ev.REASSIGNED: lambda due, now, d: _head(due) + "已改派给其他工作人员处理。",
    ev.EXTENDED: _reporter_extended,
    ev.CLOSED_UNRATED: lambda due, now, d: _head(due) + "办结7天未评价，已自动关闭。如问题仍在，可以重新反映。",
    ev.MERGED: lambda due, now, d: _head(due)
    + f"与工单 {due.data.get('into', '')} 是同一件事，已合并办理，进展会一起告诉您。",
    ev.REJECTED: lambda due, now, d: _head(due)
    + f"不属于街道受理范围：{_note(due.data)}。如有疑问可以发“转人工”。",
}

# --- a follower: status only ----------------------------------------------------------


def _followed(status: str) -> Callable:
    return lambda due, now, district: f"【您关注的工单 {due.case_number}】{status}"


FOLLOWER_WORDS: dict[str, Callable] = {
    ev.SIGNED: _followed("工作人员已签收，正在安排处理。"),
    ev.STARTED: _followed("工作人员已开始处理。"),
    ev.RESOLVED: _followed("已办结。"),
    ev.RATED: _followed("已办结并关闭。"),
    ev.CLOSED_UNRATED: _followed("已办结并关闭。如问题仍在，可以重新反映。"),
    ev.REOPENED: _followed("已重新办理。"),
    ev.WITHDRAWN: _followed("已撤回，不再办理。如问题仍在，可以重新反映。"),
    ev.MERGED: _followed("与同一件事的其他工单合并办理，进展会一起告诉您。"),
    ev.REJECTED: _followed("经核实不属于街道受理范围。如有疑问可以发“转人工”。"),
}

# --- the resident of a booking, points or handoff event --------------------------------


def _handoff_ended(due, now, district):
    from bot.turn import rating_buttons  # the turn answers these presses

    text = "工作人员已结束人工服务，回到机器人。请评价这次人工服务："
    handoff_id = due.data.get("handoff_id")
    return text, (rating_buttons(int(handoff_id)) if handoff_id is not None else [])


RESIDENT_WORDS: dict[str, Callable] = {
    ev.BOOKING_CANCELLED: lambda due, now, d:
        f"您{_at(due.data['starts_at'], now)}的调解预约已被取消。需要时可以重新发“预约调解”。",
    ev.BOOKING_RESCHEDULED: lambda due, now, d: f"您的调解预约改到了{_at(due.data['starts_at'], now)}。",
    ev.BOOKING_OUTCOME: lambda due, now, d:
        f"您的调解已结束：{OUTCOMES.get(due.data.get('outcome'), due.data.get('outcome', ''))}。",
    ev.POINTS_AWARDED: lambda due, now, d:
        f"您获得 {due.data.get('amount')} 志愿积分（{due.data.get('reason', '')}），"
        f"现有 {due.data.get('balance')} 分。",
    ev.POINTS_REVERSED: lambda due, now, d:
        f"您的志愿积分被扣回 {abs(int(due.data.get('amount', 0)))} 分（{due.data.get('reason', '')}），"
        f"现有 {due.data.get('balance')} 分。",
    ev.REWARD_COLLECTED: lambda due, now, d: f"取货码 {due.data.get('code')} 的礼品已领取。",
    ev.HANDOFF_ENDED: _handoff_ended,
}

# --- staff ----------------------------------------------------------------------------


def _grid(case, district) -> str:
    if case is None or not case.grid_id:
        return "地址未对应到网格"
    grid = district.grids.get(case.grid_id) if district is not None else None
    return grid.name if grid is not None else case.grid_id


def _role_of(staff_id: str | None, district) -> str:
    staff = district.staff.get(staff_id) if district is not None and staff_id else None
    return ROLES.get(getattr(staff, "role", ""), "工作人员")


def _card(title: str, due, now, district) -> str:
    """A case for the one who handles it: what, where, by when."""
    case = due.case
    if case is None:
        return f"【{title} 工单 {due.case_number}】"
    lines = [f"【{title} 工单 {case.number}】{CATEGORIES.get(case.category, case.category)}"
             f"｜{TIERS.get(case.tier, case.tier)}｜{_grid(case, district)}",
             case.description]
    if case.address:
        lines.append(f"地点：{case.address}")
    if case.contact_phone:
        lines.append(f"联系电话：{mask_phone(case.contact_phone)}（完整号码见工单详情）")
    steps = [(case.sign_due, case.signed_at, "签收"), (case.contact_due, case.contacted_at, "联系居民"),
             (case.resolve_due, case.resolved_at, "办结")]
    dues = [f"{when(at, now)}前{what}" for at, done, what in steps if at and not done]
    if dues and case.state in OPEN:
        lines.append("请" + "，".join(dues) + "。")
    return "\n".join(lines)


def _informed_card(title: str, due, now, district) -> str:
    case = due.case
    if case is None:
        return f"【{title} 工单 {due.case_number}】"
    return (f"【{title} 工单 {case.number}】{CATEGORIES.get(case.category, case.category)}"
            f"｜{_grid(case, district)}：{case.description}\n"
            f"已派给{_role_of(case.assignee_id, district)}办理，您知悉即可。")


def _staff_reopened(due, now, district):
    solved = "解决了" if due.data.get("solved") else "没解决"
    satisfaction = SATISFACTION.get(due.data.get("satisfaction"), "")
    reason = f"，理由：{_note(due.data)}" if _note(due.data) else ""
    return (f"【工单 {due.case_number}】您办结的工单居民评价为“{solved}、{satisfaction}”{reason}。"
            "已重新办理并重新派单。")


def _staff_escalated(due, now, district):
    level = due.data.get("level")
    return (_card("升级督办", due, now, district)
            + f"\n已升级由您督办（第{level}级）。原因：{_note(due.data)}")


def _centre_escalated(due, now, district):
    case = due.case
    where = f"{CATEGORIES.get(case.category, case.category)}｜{_grid(case, district)}｜" if case else ""
    return (f"【升级至指挥中心 工单 {due.case_number}】{where}{STATES.get(getattr(case, 'state', ''), '')}"
            f"\n原因：{_note(due.data)}")


def _staff_hurried(due, now, district):
    case, text = due.case, f"【工单 {due.case_number}】居民催办，请尽快处理。"
    if case is not None and case.resolve_due:
        text += f"办结期限：{when(case.resolve_due, now)}。"
    return text


ASSIGNEE_WORDS: dict[str, Callable] = {
    ev.ROUTED: lambda due, now, d: _card("新工单", due, now, d),
    ev.REASSIGNED: lambda due, now, d: _card("改派给您", due, now, d),
    ev.ESCALATED: _staff_escalated,
    ev.EXTENDED: lambda due, now, d:
        f"【工单 {due.case_number}】办结期限延至{_at(due.data.get('new_due'), now)}。原因：{_note(due.data)}",
    ev.REOPENED: _staff_reopened,
    ev.MERGED: lambda due, now, d:
        f"【工单 {due.case_number}】已合并到工单 {due.data.get('into', '')}，本单无需再办理。",
    ev.REJECTED: lambda due, now, d:
        f"【工单 {due.case_number}】指挥中心认定不属于受理范围（{_note(due.data)}），本单无需再办理。",
    ev.WITHDRAWN: lambda due, now, d: f"【工单 {due.case_number}】居民已撤回，无需再办理。",
    ev.DETAIL: lambda due, now, d: f"【工单 {due.case_number}】居民补充情况：{_note(due.data)}",
    ev.HURRIED: _staff_hurried,
}

INFORMED_WORDS: dict[str, Callable] = {
    ev.ROUTED: lambda due, now, d: _informed_card("知会", due, now, d),
    ev.REASSIGNED: lambda due, now, d: _informed_card("改派知会", due, now, d),
}


def _booking(due, now, district) -> str:
    data = due.data
    rooms = {r.id: r.name for r in getattr(district, "rooms", ())}
    room = f"，{rooms.get(data['room_id'], data['room_id'])}" if data.get("room_id") else ""
    return f"{_at(data.get('starts_at'), now)}，{MODES.get(data.get('mode'), data.get('mode', ''))}{room}"


MEDIATOR_WORDS: dict[str, Callable] = {
    ev.BOOKING_CREATED: lambda due, now, d:
        f"【新调解预约 {due.data.get('booking_id')}】{_booking(due, now, d)}。纠纷：{due.data.get('dispute', '')}",
    ev.BOOKING_RESCHEDULED: lambda due, now, d:
        f"【调解预约 {due.data.get('booking_id')}】改到{_booking(due, now, d)}"
        f"（原定{_at(due.data.get('previous_starts_at'), now)}）。",
    ev.BOOKING_CANCELLED: lambda due, now, d:
        f"【调解预约 {due.data.get('booking_id')}】{_at(due.data.get('starts_at'), now)}的预约已取消。"
        + (f"原因：{due.data['reason']}" if due.data.get("reason") else ""),
    ev.BOOKING_OUTCOME: lambda due, now, d:
        f"【调解预约 {due.data.get('booking_id')}】结果已记录："
        f"{OUTCOMES.get(due.data.get('outcome'), due.data.get('outcome', ''))}。",
}


def _handoff_requested(due, now, district):
    data = due.data
    summary = MOBILE.sub(lambda m: mask_phone(m.group()), (data.get("summary") or "").strip())
    lines = [f"【转人工】居民 {data.get('resident_id')} 请求人工服务"
             f"（{HANDOFF_REASONS.get(data.get('reason'), data.get('reason', ''))}），"
             f"请在{_at(data.get('answer_by'), now)}前回复。"]
    if summary:
        lines.append(f"最近说的：{summary}")
    if data.get("case_number"):
        lines.append(f"已为此开了工单 {data['case_number']}。")
    return "\n".join(lines)


CENTRE_WORDS: dict[str, Callable] = {
    ev.ESCALATED: _centre_escalated,
    ev.HANDOFF_REQUESTED: _handoff_requested,
}

WORDS: dict[tuple[str, str], Callable] = {
    (name, audience): words
    for audience, table in ((ev.REPORTER, REPORTER_WORDS), (ev.FOLLOWER, FOLLOWER_WORDS),
                            (ev.RESIDENT, RESIDENT_WORDS), (ev.ASSIGNEE, ASSIGNEE_WORDS),
                            (ev.INFORMED, INFORMED_WORDS), (ev.MEDIATOR, MEDIATOR_WORDS),
                            (ev.CENTRE, CENTRE_WORDS))
    for name, words in table.items()
}


def render(due, now: dt.datetime, district=None) -> Message:
    """Text and buttons for one delivery; ``district`` names grids and roles in staff texts."""
    words = WORDS.get((due.name, due.audience))
    if words is None:
        raise NoWords(f"no words for {due.name} to a {due.audience}")
    said = words(due, now, district)
    text, buttons = said if isinstance(said, tuple) else (said, [])
    return Message(text, tuple(buttons))


class Renderer:
    """render() with the district bound: what the dispatcher is given."""

    def __init__(self, district=None):
        self.district = district

    def __call__(self, due, now: dt.datetime) -> Message:
        return render(due, now, self.district)
