"""What a resident is told when something happened: one message per notice, with buttons."""
from __future__ import annotations

import datetime as dt
import json

from actions.texts import when

OUTCOMES = {"settled": "调解成功", "not_settled": "未能达成一致", "referred_to_court": "建议通过法院解决"}


def _rate_buttons(number: str) -> list[dict]:
    def payload(value):
        return "/rate_case" + json.dumps({"case_id": number, "choice": value}, ensure_ascii=False)
    return [{"title": "解决了", "payload": payload("solved")},
            {"title": "没解决", "payload": payload("unsolved")}]


def render(notice, now: dt.datetime) -> tuple[str, list[dict]]:
    """Text and buttons for one civic.services.notifications.Notice."""
    data, number = notice.data, notice.case_number
    head = f"【工单 {number}】" if number else ""
    name = notice.name
    if name == "signed":
        return head + "工作人员已签收，正在安排处理。", []
    if name == "contacted":
        return head + "工作人员已与您联系。" + (f"说明：{data['note']}" if data.get("note") else ""), []
    if name == "started":
        return head + "工作人员已开始处理。", []
    if name == "progress":
        return head + f"办理进展：{data.get('note', '')}", []
    if name == "resolved":
        text = head + f"已办结。办理结果：{data.get('note', '')}"
        if notice.own_case:
            return text + "\n请您评价：问题解决了吗？", _rate_buttons(number)
        return text, []
    if name == "returned":
        return head + "正在重新分派给更合适的工作人员，不需要您做什么。", []
    if name == "reassigned":
        return head + "已改派给其他工作人员处理。", []
    if name == "extended":
        due = data.get("new_due")
        later = f"，新的办结时间：{when(dt.datetime.fromisoformat(due), now)}" if due else ""
        return head + f"办理需要更多时间{later}。原因：{data.get('note', '')}", []
    if name == "reopened":
        return head + "已重新办理。", []
    if name == "closed_unrated":
        return head + "办结7天未评价，已自动关闭。如问题仍在，可以重新反映。", []
    if name == "merged":
        return head + f"与工单 {data.get('into', '')} 是同一件事，已合并办理，进展会一起告诉您。", []
    if name == "rejected":
        return head + f"不属于街道受理范围：{data.get('note', '')}。如有疑问可以发“转人工”。", []
    if name == "booking_cancelled":
        return f"您{when(dt.datetime.fromisoformat(data['starts_at']), now)}的调解预约已被取消。需要时可以重新发“预约调解”。", []
    if name == "booking_rescheduled":
        return f"您的调解预约改到了{when(dt.datetime.fromisoformat(data['starts_at']), now)}。", []
    if name == "booking_outcome":
        return f"您的调解已结束：{OUTCOMES.get(data.get('outcome'), data.get('outcome', ''))}。", []
    if name == "points_awarded":
        return f"您获得 {data.get('amount')} 志愿积分（{data.get('reason', '')}），现有 {data.get('balance')} 分。", []
    if name == "points_reversed":
        return f"您的志愿积分被扣回 {abs(int(data.get('amount', 0)))} 分（{data.get('reason', '')}），现有 {data.get('balance')} 分。", []
    if name == "redemption_collected":
        return f"取货码 {data.get('code')} 的礼品已领取。", []
    return head + "有新的办理动态，发“我的工单”查看。", []
