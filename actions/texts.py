"""Resident-facing words: category and role names, times and deadlines in plain Chinese."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

CATEGORIES = {
    "parking": "停车秩序", "elderly_care": "养老助老", "dispute": "邻里纠纷", "repair": "设施报修",
    "noise": "噪音扰民", "environment": "环境卫生", "safety": "安全隐患", "other": "其他事项",
}
ROLES = {
    "grid_worker": "网格员", "grid_leader": "网格长", "urban_management": "城管队员",
    "property": "物业/房管专员", "social_worker": "社工", "mediator": "人民调解员",
    "responder": "应急值班人员", "command_centre": "街道综合指挥中心",
}
STATES = {
    "received": "已登记", "dispatched": "已派单，待签收", "accepted": "已签收", "in_progress": "处理中",
    "resolved": "已办结，待您评价", "closed": "已关闭", "reopened": "已重新办理",
    "merged": "已合并", "rejected": "不属于街道受理范围", "withdrawn": "已撤回",
}
ACTIONS = {
    "received": "收到反映", "routed": "派单", "signed": "签收", "contacted": "已联系您",
    "started": "开始处理", "progress": "进展", "resolved": "办结", "returned": "退回重派",
    "reassigned": "改派", "escalated": "升级督办", "extended": "延期", "rated": "评价",
    "reopened": "重新办理", "closed_unrated": "超时未评价，自动关闭", "merged": "合并",
    "rejected": "不予受理", "withdrawn": "撤回", "detail": "补充情况", "hurried": "催办",
}
STEPS = {"sign": "签收", "contact": "联系您", "resolve": "办结"}
SPECIALITIES = {"neighbours": "邻里纠纷", "family": "婚姻家庭", "property": "物业纠纷",
                "tenancy": "房屋租赁", "labour": "劳动争议"}
MODES = {"in_person": "到调解室", "online": "线上视频"}
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
WEEKDAYS = "一二三四五六日"

CAPABILITIES = ("我可以帮您：\n"
                "1. 反映问题：停车、噪音、环境卫生、设施报修、安全隐患、邻里纠纷、养老助老等，直接说就行；\n"
                "2. 查看进度：发“我的工单”或工单号，还可以补充情况、催办、撤回；\n"
                "3. 预约人民调解：发“预约调解”；\n"
                "4. 志愿积分：发“查积分”，可以兑换礼品；\n"
                "5. 我的资料：修改住址或删除我的数据；\n"
                "6. 找工作人员：发“转人工”。")
PRIVACY = ("您的手机号和详细地址只给处理您这件事的工作人员看，群聊和日志里都会打码。"
           "您随时可以发“删除我的数据”，我们会删除您的资料，已反映的事仍会继续办理。")
URGENT_ADVICE = ("⚠️ 如有危险，请立即拨打电话：火情、燃气泄漏打 119，有人被困或走失打 110，"
                 "有人受伤或急病打 120。")


def local(at: dt.datetime) -> dt.datetime:
    return at.astimezone(SHANGHAI)


def when(at: dt.datetime, now: dt.datetime) -> str:
    """今天18:00 / 明天09:30 / 11月25日（周三）10:00, in Shanghai time."""
    at, today = local(at), local(now).date()
    days = (at.date() - today).days
    day = {0: "今天", 1: "明天", 2: "后天"}.get(days) or f"{at.month}月{at.day}日（周{WEEKDAYS[at.weekday()]}）"
    return f"{day}{at:%H:%M}"


def deadline_lines(case, now: dt.datetime) -> str:
    """The deadlines of a routed case, as a resident reads them."""
    lines = []
    if case.contact_due and case.contact_due > now and not case.contacted_at:
        lines.append(f"{when(case.contact_due, now)}前联系您")
    if case.resolve_due and case.resolve_due > now:
        lines.append(f"{when(case.resolve_due, now)}前办结")
    return "，".join(lines)


def handler_text(district, case) -> str:
    """Who handles it: role and grid, never a name or a private phone."""
    staff = district.staff.get(case.assignee_id)
    role = ROLES.get(getattr(staff, "role", ""), "工作人员")
    grid = district.grids.get(case.grid_id) if case.grid_id else None
    if grid is None:
        return f"{role}（地址未能对应到网格，由街道综合指挥中心分派）" if role != ROLES["command_centre"] else role
    return f"{grid.name}的{role}"


def mask_phone(phone: str | None) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else (phone or "")
