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


# --- the turn: what every channel answers before (or instead of) the dialogue -------

MAX_MESSAGE = 2000
TOO_LONG = f"消息太长了（超过{MAX_MESSAGE}字），没有处理。请分几条发，或先说最要紧的情况。"
UNKNOWN_COMMAND = "不认识这个命令。可以发 /start 看说明，或直接说您要办的事。"
STALE_BUTTON = "这个按钮已经用过或过期了，这次没有处理。请按最新消息里的按钮，或直接打字告诉我。"
UNKNOWN_BUTTON = "这个按钮无效，没有处理。请按最新消息里的按钮，或直接打字告诉我。"
WHAT_I_TAKE = "我能看懂文字消息和按钮。请打字告诉我您要办的事，比如“3号楼楼道灯坏了”。"
CANNOT_TAKE = {
    "sticker": "收到表情了。" + WHAT_I_TAKE,
    "voice": "暂时听不了语音。" + WHAT_I_TAKE,
    "video": "暂时看不了视频。" + WHAT_I_TAKE,
    "document": "暂时打不开文件。" + WHAT_I_TAKE,
    "edited": "修改后的消息我这边不会重新处理。如果要改内容，请重新发一条。",
    "photo": "暂时还不能把图片附到工单上。请用文字说明情况，工作人员联系您时可以再给他们看照片。",
    "location": "暂时还不能按位置找到网格。请打字写出小区和楼号，或路名和门牌号，如“望江花园3号楼”。",
}
CANNOT_TAKE_OTHER = "这类消息我暂时处理不了。" + WHAT_I_TAKE
NOT_OWN_CONTACT = "只能留您本人的手机号。请直接输入您的手机号，或点“跳过”不留。"
HANDOFF_ACK = ("您的消息已转给工作人员，他们会在{when}前在这里回复您，之后发的消息也会转给他们。"
               "想回到机器人，请发“结束人工”。")
HANDOFF_ENDED_BY_RESIDENT = "好的，已结束人工服务，回到机器人。请评价这次人工服务："
HELP_RATED = "谢谢您的评价！还有别的事可以直接跟我说。"
HELP_NOT_RATABLE = "这次人工服务已经评价过了，谢谢。还有别的事可以直接跟我说。"
NO_SUCH_OPTION = "没有这个选项，请输入 1 到 {count} 之间的数字，或直接打字。"
