"""Every word a resident or staff member reads: the one messages module.

The actions, the turn, the console and the deliveries (bot/notices.py) say nothing
of their own; they take their words from here. A fixed text is a constant; a text
with parts that vary is a template with named placeholders, filled with
``str.format``. Nothing about the district is spelled here: its street name, office
hours, mediation slot length and example addresses are placeholders too
(district_words names them), filled from data/district.yml by ``fill(template,
district, ...)``. Tables map codes to words (keys are codes, values are words).

Not in domain.yml: its hash is the model's fingerprint, so a change of wording
there would retrain the model. tests/integration/test_texts.py renders everything
here and every delivery and checks that no identifier leaks into the words.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from civic.domain.privacy import mask_phone  # noqa: F401 (the actions import it from here)

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
    "rejected": "不予受理", "withdrawn": "撤回", "detail": "补充情况", "hurried": "催办", "photo": "补充照片",
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
    role = ROLES.get(getattr(staff, "role", ""), ANY_STAFF)
    grid = district.grids.get(case.grid_id) if case.grid_id else None
    if grid is None:
        return f"{role}（地址未能对应到网格，由街道综合指挥中心分派）" if role != ROLES["command_centre"] else role
    return f"{grid.name}的{role}"


# --- the district's words: every template names them, nothing here spells them -------


def district_words(district) -> dict[str, str]:
    """The placeholders a template may name for the district, from data/district.yml:
    {street}, {hours} (上午8:30—12:00、下午13:30—17:30), {opens} (the first slot, 08:30),
    {slot} (a mediation slot's length) and example addresses {example_place},
    {example_road} and {example_home}."""
    examples = district.examples
    return {"street": district.street_name, "hours": office_hours(district.office_hours),
            "opens": f"{district.office_hours[0][0]:%H:%M}", "slot": duration(district.slot_minutes),
            "example_place": examples.place, "example_road": examples.road,
            "example_home": examples.home}


def fill(template: str, district, **values) -> str:
    """A template with the district's words and the given values in its placeholders."""
    return template.format(**district_words(district), **values)


def office_hours(ranges) -> str:
    """上午8:30—12:00、下午13:30—17:30"""
    def part(start: dt.time) -> str:
        return "上午" if start.hour < 12 else "下午" if start.hour < 18 else "晚上"
    return "、".join(f"{part(start)}{start.hour}:{start:%M}—{end.hour}:{end:%M}" for start, end in ranges)


def duration(minutes: int) -> str:
    """1小时, 1小时30分钟, 45分钟"""
    hours, rest = divmod(minutes, 60)
    return (f"{hours}小时" if hours else "") + (f"{rest}分钟" if rest or not hours else "")


# --- every conversation --------------------------------------------------------------

SWITCH_HINT = "要办别的事，请先发“取消”结束这一步。"
OFFER_A_PERSON = "\n如果不方便打字说明，也可以转人工，由工作人员帮您登记。"
TO_A_PERSON = "转人工"
GIVE_UP = "不办了"
SKIP = "跳过"

# --- welcome, help, small talk, cancel ------------------------------------------------

WELCOME = "您好！我是{street}“全响应”服务助手。\n" + CAPABILITIES + "\n" + PRIVACY
FIRST_ERRAND = "请直接说您要办的事，比如“小区门口乱停车”。"
HELLO = "您好！"
NEXT_ERRAND = "\n请直接说您要办的事。"
GOODBYE = "再见！有需要随时找我，您反映的事办理有进展时我会告诉您。"
THANKS = "不客气！还有别的事可以直接说，办理进展我会及时告诉您。"
OUT_OF_SCOPE = ("抱歉，这件事我帮不上忙。我可以帮您：反映问题、查看工单进度、预约人民调解、查询和兑换志愿积分，"
                "或者转人工。请直接说您要办的事，或发“帮助”查看说明。")
# Out of scope by the model, but a report is plausible: which kind, or none of them.
MEANT_TO_REPORT = "您是想反映{names}方面的问题吗？是的话请点对应的一项，我接着帮您登记；都不是请点“都不是”。"
NONE_OF_THEM = "都不是"
WHAT_TO_DO = "收到。请告诉我您想办什么事：反映问题、查看工单、预约调解、查积分，或者转人工。"
CANCELLED = "好的，已取消，刚才填的内容没有提交。还有别的事可以直接说。"
NOTHING_TO_CANCEL = "好的。还有别的事可以直接说，发“帮助”可以看我能做什么。"
NOTHING_PENDING = "好的。还有什么可以帮您？直接说您要办的事就行。"
NOTHING_CHANGED = "好的，没有做任何改动。还有别的事可以直接说。"

# --- a person ---------------------------------------------------------------------------

HANDED_OFF = "已为您转接人工，工作人员会在{when}前在这里回复您，请稍候。"
HANDED_OFF_AFTER_HOURS = "现在是下班时间，工作人员会在{when}前在这里回复您。"
HANDOFF_CASE_OPENED = "您说的情况已登记为工单 {number}，不会遗漏。"
NOT_UNDERSTOOD = ("抱歉，我没看懂。您可以直接说遇到的问题，比如“小区门口乱停车”，"
                  "或发“帮助”看看我能做什么；也可以发“转人工”。")
STILL_NOT_UNDERSTOOD = "抱歉，我还是没看懂，帮您转给工作人员。"

# --- form questions (actions/questions.py) ----------------------------------------------

ASK_DESCRIPTION = "请用一两句话说说具体是什么问题，比如发生了什么、持续多久了。"
ASK_DISPUTE = "请用一句话说说是什么纠纷，比如“楼上漏水，和邻居谈不拢赔偿”。"
ASK_OTHER_PARTY = "对方怎么称呼？（姓名或称呼即可，如“502室王先生”）"
ASK_OTHER_PHONE = "方便留对方的手机号吗？调解员会提前联系对方。不方便可以点“跳过”。"
ASK_MODE = "您想到调解室当面调解，还是线上视频调解？"
MODE_BUTTONS = {"in_person": "到调解室", "online": "线上调解"}
ASK_RATE_REASON = "请说说哪里还没解决、或者哪里不满意，我们会重新安排处理。"
ASK_DETAIL_TEXT = "请输入要补充的情况，我会转给处理这件事的工作人员。"
ASK_NEW_ADDRESS = "请告诉我新的住址，写到小区和楼号，如“{example_home}”。"

# --- reporting ----------------------------------------------------------------------------

DESCRIPTION_CUT = "您的描述有点长，我先记下前1000个字，详细情况可以稍后补充给工作人员。"
SEVERAL_PROBLEMS = ("您说到了几件事（{names}）。我们一件一件登记，每件一个工单，"
                    "先登记哪一件？另一件登记完可以接着说。")
CALL_FIRST = "\n（您这件事请先拨打 {numbers}）"
EMERGENCY_FILED = "已按紧急事项登记，工单号 {number}，由{handler}处理，{deadlines}。"
ASK_CATEGORY = "请问是哪一类问题？点选一项，或直接描述问题。"
ASK_PLACE_OR_HOME = ("问题发生在哪里？如果就在您登记的住址（{home}），点“就在这里”；"
                     "不在的话请写出小区和楼号，或路名和门牌号。")
AT_HOME = "就在这里"
ASK_PLACE = "问题发生在哪里？请写出小区和楼号，或路名和门牌号，如“{example_place}”“{example_road}”。"
ASK_CONTACT_PHONE = "方便留个手机号吗？只给处理这件事的工作人员看，方便他们联系您。不留请点“跳过”。"
USE_PHONE = "用 {phone}"
CONFIRM_REPORT = ("请核对：\n类别：{category}\n问题：{description}\n地点：{address}\n联系电话：{phone}\n"
                  "确认无误就提交，我会马上派给负责的工作人员。")
NO_PLACE = "（未说明）"
NO_PHONE = "不留"
SUBMIT = "确认提交"
CHANGE = "修改"
DROP_REPORT = "不报了"
DUPLICATE = ("附近已经有人反映过类似的问题（工单 {number}，正在办理）。"
             "您可以关注这个工单，办理进展会同步告诉您；也可以仍然单独登记。")
FOLLOW = "关注这个工单"
FILE_ANYWAY = "仍然单独登记"
WHICH_CATEGORY = "没看出是哪一类问题，请点下面的一项，或者换个说法描述一下。"
NOT_A_PROBLEM = "这好像不是要反映的问题。请说说具体是什么问题；" + SWITCH_HINT
MORE_DETAIL = "请再具体一点，比如“3号楼楼道灯坏了一个星期”，工作人员才好处理。"
DESCRIPTION_TOO_LONG = "描述太长了（超过1000字），请先说最要紧的情况，其余的提交后可以补充。"
PLACE_AGAIN = "请写出问题所在的小区和楼号，或路名和门牌号。"
WHICH_PLACE = "“{place}”可能指下面几处，请选一个："
NOT_A_PLACE = "“{place}”看不出是哪里。请写出小区和楼号，或路名和门牌号，如“{example_place}”“{example_road}”。"
PLACE_TO_TRIAGE = "“{place}”我没能对应到具体网格，会交给街道综合指挥中心人工分派，不影响办理。"
BAD_CONTACT_PHONE = "这个手机号好像不对，请输入11位手机号（如13812345678），不想留请点“跳过”。"
SUBMIT_OR_CHANGE = "请点“确认提交”或“修改”。"
REPORT_AGAIN = "好的，我们重新填一遍问题和地点。"
FOLLOW_OR_FILE = "请点“关注这个工单”或“仍然单独登记”。"
FILED = ("已受理，工单号 {number}。\n由{handler}负责，{deadlines}。\n"
         "有进展我会第一时间告诉您；发“我的工单”可随时查看、补充或催办。")
OFFER_MEDIATION = "邻里纠纷也可以预约人民调解员当面调解，需要的话点下面的按钮。"
BOOK_MEDIATION = "预约人民调解"
FOLLOWING = "已为您关注工单 {number}，办理进展和结果都会告诉您。发“我的工单”可以随时查看。"
FOLLOWING_JUST_FILED = ("刚刚有人反映了同样的问题（工单 {number}）。{following}"
                        "如果您的情况不一样，可以重新反映，选“仍然单独登记”。")

# --- following cases ----------------------------------------------------------------------

ANY_STEP = "处理"  # a next deadline of a step STEPS does not name
CASE_NOT_FOUND = "没有找到您名下的工单 {number}。请核对工单号，或发“我的工单”查看您的全部工单。"
CASE_TITLE = "工单 {number}（{category}）：{state}"
CASE_NEXT = "下一步：{when}前{step}"
CASE_UPDATE = "· {at} {action}"
CASE_UPDATE_NOTE = "：{note}"
NO_CASES = "您还没有反映过问题。遇到问题直接告诉我，我帮您登记派单。"
MY_CASES = "您的工单（含关注的）："
MY_CASE = "{number}{followed} {category}：{state}{due}"
MY_CASE_DUE = "，{when}前{step}"
FOLLOWED_MARK = "（关注）"
MY_CASES_END = "点工单号查看进度和办理记录。"
HURRY = "催办"
ADD_DETAIL = "补充情况"
WITHDRAW = "撤回"
RATE = "评价"
NOTHING_TO = "您目前没有可以{what}的工单。发“我的工单”可以查看全部工单。"
# An errand with nothing to act on, on a message that describes a problem.
NOTHING_TO_SO_REPORT = "您目前没有可以{what}的工单，我先把您说的这件事登记成一个新的反映，再问您几句。"
WHICH_CASE_TO = "您要{what}哪一个工单？"
CASE_BUTTON = "{number} {category}"
CASE_NOT_FOUND_SHORT = "没有找到您名下的工单 {number}，请核对工单号。"
CANNOT_HURRY = "工单 {number} 已经办结或关闭，不能催办了。有新情况可以重新反映。"
HURRIED = "已催办工单 {number}，已通知{handler}{escalated}。{deadlines}有进展我会告诉您。"
HURRY_ESCALATED = "。这件事已经超过时限，已升级给上一级督办"
HURRY_DEADLINES = "时限：{deadlines}。"
NOT_YOUR_REPORT = "没有找到您反映的工单 {number}，请核对工单号。"
CANNOT_WITHDRAW_NOW = "工单 {number} 现在是“{state}”，不能撤回了。"
CONFIRM_WITHDRAW = "确定撤回工单 {number} 吗？撤回后工作人员不再处理这件事。"
CONFIRM_WITHDRAW_YES = "确认撤回"
CONFIRM_WITHDRAW_NO = "不撤回"
WITHDRAWN_NOTE = "居民撤回"  # the case history's note
TOO_LATE_TO_WITHDRAW = "工单 {number} 已经不能撤回了（可能刚刚办结）。发“我的工单”查看最新状态。"
WITHDRAWN = "工单 {number} 已撤回，工作人员不会再处理。以后有问题随时告诉我。"
WHICH_CASE_DETAIL = "您要给哪一个工单补充情况？"
NO_OPEN_CASES = "您目前没有在办的工单。有新问题可以直接告诉我。"
TYPE_DETAIL = "请直接输入要补充的内容。"
DETAIL_TOO_LONG = "内容太长了（超过1000字），请分几次补充。"
CANNOT_ADD_DETAIL = "工单 {number} 已经办结或关闭，不能再补充了。有新情况可以重新反映。"
DETAIL_SENT = "已把补充的情况转给工单 {number} 的工作人员。有进展我会告诉您。"

# --- rating -------------------------------------------------------------------------------

SOLVED_ANSWERS = {"solved": "解决了", "unsolved": "没解决"}
WHICH_CASE_RATE = "您有几个已办结、待评价的工单，评价哪一个？"
NOTHING_TO_RATE = "您目前没有待评价的工单。工单办结后我会请您评价。"
ASK_SOLVED = "工单 {number} 已办结。您反映的问题解决了吗？"
ASK_SATISFACTION = "您对这次办理满意吗？"
PICK_SOLVED = "请点“解决了”或“没解决”。"
PICK_SATISFACTION = "请点“满意”“基本满意”或“不满意”。"
RATE_REASON_AGAIN = "请简单说说还有什么问题，我们好重新安排。"
RATING_TOO_LATE = "工单 {number} 现在不能评价了（可能已经评价过）。发“我的工单”查看最新状态。"
REOPENED = ("收到，工单 {number} 已重新办理，派给{handler}，{deadlines}。"
            "您说的情况已转给工作人员，有进展我会告诉您。")
RATED = "谢谢您的评价！工单 {number} 已关闭。以后有问题随时告诉我。"

# --- mediation ----------------------------------------------------------------------------

NO_SUCH_BOOKING = "没有找到这个预约。发“我的预约”查看您的预约。"
RESCHEDULING = "好的，给这次调解换个时间（调解员和方式不变）。"
MEDIATION_START = "好的，帮您预约人民调解。调解免费，调解员会保护双方隐私。"
ASK_MEDIATOR = "请选择调解员（双向选择），或由我们安排："
MEDIATOR_LINE = "· {name}：擅长{specialities}"
ANY_MEDIATOR = "都可以，帮我安排"
NO_FREE_SLOTS = "未来两周没有空闲时段了。可以换一位调解员或改成线上调解，或发“转人工”。"
CHANGE_MEDIATOR = "换调解员"
ASK_SLOT = "请选一个时间（每次{slot}），也可以直接说，如“明天下午两点半”“下周二上午”："
CONFIRM_BOOKING = "请核对预约：\n纠纷：{dispute}\n对方：{other_party}{other_phone}\n调解员：{mediator}\n方式：{mode}\n时间：{when}"
OTHER_PHONE = "（{phone}）"
ANY_MEDIATOR_CHOSEN = "由街道安排"
BOOK = "确认预约"
PICK_AGAIN = "重新选时间"
DROP_BOOKING = "不约了"
DISPUTE_AGAIN = "请用一句话说说纠纷的情况。" + SWITCH_HINT
DISPUTE_EXAMPLE = "请用一句话说说纠纷的情况，比如“楼上漏水，赔偿谈不拢”。"
DISPUTE_TOO_LONG = "请简短一些（200字以内），详细情况可以当面跟调解员说。"
OTHER_PARTY_AGAIN = "请告诉我对方的称呼（30字以内），如“502室王先生”。"
BAD_OTHER_PHONE = "这个手机号好像不对，请输入11位手机号，不方便留请点“跳过”。"
PICK_MEDIATOR = "请点一位调解员，或点“都可以，帮我安排”。"
PICK_MODE = "请点“到调解室”或“线上调解”。"
PICK_TIME = "请点下面的一个时间。"
TIME_NOT_UNDERSTOOD = "没看懂这个时间，请点下面的时间，或说“明天下午两点半”“下周二上午”。"
ALL_TAKEN = "这段时间都约满了，请换一天，或发“转人工”。"
NEAREST_FREE = "{when}{why}离它最近的空闲时间："
DAY_TAKEN = "那天没有空闲时间了，最近的空闲时间："
PART_FREE = "那段时间有这些空闲，请选一个："
BOOK_OR_PICK_AGAIN = "请点“确认预约”或“重新选时间”。"
# Why a typed time cannot be booked (civic.services.mediation.SlotRefused.reason).
SLOT_REFUSED = {
    "past": "已经过去了。",
    "outside_office_hours": "不在工作时间（工作日{hours}）。",
    "not_a_slot": "不是预约时段的开始（每段{slot}，从{opens}起）。",
    "taken": "已经约满了。",
}
SLOT_JUST_TAKEN = "抱歉，这个时间刚被别人约走了，预约没有成功。请发“预约调解”重新选一个时间。"
BOOKING_FAILED = "预约没有成功，请发“预约调解”重新试一次，或发“转人工”。"
BOOKED_IN_ROOM = "地点：{street}人民调解室（{room}）"
BOOKED_ONLINE = "方式：线上视频，调解员会提前发送链接"
BOOKED = ("预约成功！\n时间：{when}\n调解员：{mediator}\n{where}\n预约号：{booking}\n"
          "调解员会提前联系双方。要改时间或取消，发“我的预约”。")
BOOKING_GONE = "没有找到这个预约，可能已经取消或已过时间。"
CONFIRM_CANCEL_BOOKING = "确定取消{when}的调解预约吗？"
CANCEL_BOOKING_YES = "确认取消"
CANCEL_BOOKING_NO = "不取消"
NO_BOOKINGS = "您目前没有待进行的调解预约。需要的话发“预约调解”。"
MY_BOOKING = "{when} {mode}，调解员{mediator}（预约号 {booking}）"
RESCHEDULE = "改时间"
CANCEL_BOOKING = "取消预约"
CANCELLED_BY_RESIDENT = "居民取消"  # the booking's cancellation reason, read by the mediator
CANNOT_CANCEL_BOOKING = "这个预约已经不能取消了（可能已开始或已取消）。发“我的预约”查看。"
BOOKING_CANCELLED = "预约已取消，已通知调解员。需要时可以重新发“预约调解”。"

# --- volunteer points ---------------------------------------------------------------------

POINTS_BALANCE = "您的志愿积分：{balance} 分。"
POINTS_RECENT = "最近记录："
POINTS_ENTRY = "· {day} {amount} {kind} {reason}"
NO_POINTS_YET = "还没有积分记录。参加社区志愿服务后，工作人员会为您记分。"
CATALOGUE = "可兑换的礼品："
CATALOGUE_ITEM = "· {name}：{price} 分{stock}"
SOLD_OUT = "（已兑完）"
IN_STOCK = "（剩 {stock} 件）"
PRESS_TO_REDEEM = "点下面的礼品可以兑换。"
KEEP_GOING = "积分够了就可以兑换，继续加油！"
REDEEM_ITEM = "兑换{name}"
ASK_REWARD = "您现在有 {balance} 分。想兑换哪一件？"
REWARD_ITEM = "{name}（{price}分）"
CONFIRM_REDEEM = "确认用 {price} 分兑换“{name}”吗？兑换后凭取货码到社区领取。"
REDEEM_YES = "确认兑换"
REDEEM_NO = "不换了"
NO_SUCH_REWARD = "没找到这件礼品，请点下面列出的一项。"
REWARD_SOLD_OUT = "“{name}”已经兑完了，请换一件。"
TOO_FEW_POINTS = ("“{name}”需要 {price} 分，您现在有 {balance} 分，还差 {short} 分。"
                  "可以换一件，或参加志愿服务攒积分。")
REDEEM_OR_NOT = "请点“确认兑换”或“不换了”。"
NOT_REDEEMED = "好的，没有兑换，积分不变。"
SHORT_OF_POINTS = "积分不够：需要 {price} 分，您现在有 {balance} 分。积分没有扣。"
JUST_SOLD_OUT = "这件礼品刚刚兑完了，积分没有扣。发“查积分”看看别的礼品。"
REDEEM_FAILED = "兑换没有成功，积分没有扣。请稍后再试，或发“转人工”。"
REDEEMED = "兑换成功！取货码：{code}\n请在工作时间凭取货码到社区服务站领取。剩余积分 {balance} 分。"

# --- my data ------------------------------------------------------------------------------

CONFIRM_DELETE = ("确定删除您的数据吗？会删除您的住址、手机号等资料和我们的聊天记录，"
                  "并把您的名字、联系方式和门牌号从工单上去掉；还没到时间的调解预约会取消。"
                  "已反映、正在办理的工单会保留（不带您的身份），街道会继续办完，但不再给您发进展。")
DELETE_YES = "确认删除"
DELETE_NO = "不删了"
MY_DATA = "我们保存的您的资料：\n住址：{address}\n手机：{phone}\n" + PRIVACY
NOT_GIVEN = "未登记"
CHANGE_ADDRESS = "修改住址"
DELETE_MY_DATA = "删除我的数据"
ADDRESS_AGAIN = "请写出小区和楼号，如“{example_home}”。"
OUTSIDE_STREET = "“{address}”不在{street}的网格里，我先照此记下；反映问题时会再跟您确认地点。"
ADDRESS_CHANGED = "已把您的住址改为：{address}。以后反映问题时我会先问是不是在这里。"
DATA_DELETED = ("已删除您的资料和聊天记录。{kept} 个工单已去掉您的名字和联系方式，街道会继续办完。"
                "{cancelled}以后再找我，会当作新用户，重新请您同意资料使用说明。")
DATA_DELETED_BOOKINGS = "{count} 个调解预约已取消，调解员已收到通知。"

# --- deliveries (bot/notices.py puts them together per event and audience) -----------------

OUTCOMES = {"settled": "调解成功", "not_settled": "未能达成一致", "referred_to_court": "建议通过法院解决"}
TIERS = {"urgent": "紧急", "utilities": "水电气热", "ordinary": "一般", "complex": "复杂"}
HANDOFF_REASONS = {"asked": "居民要求", "not_understood": "机器人两次没听懂", "urgent": "紧急情况",
                   "failed": "系统出错，居民的话已转来"}
ANY_STAFF = "工作人员"  # a role the district does not name
CASE_HEAD = "【工单 {number}】"
# To the reporter
RESOLVED_NOTICE = "已办结。办理结果：{note}\n请您评价：问题解决了吗？"
EXTENDED_NOTICE = "办理需要更多时间{later}。原因：{note}"
NEW_RESOLVE_DUE = "，新的办结时间：{when}"
SIGNED_NOTICE = "工作人员已签收，正在安排处理。"
CONTACTED_NOTICE = "工作人员已与您联系。"
CONTACT_NOTE = "说明：{note}"
STARTED_NOTICE = "工作人员已开始处理。"
PROGRESS_NOTICE = "办理进展：{note}"
RETURNED_NOTICE = "正在重新分派给更合适的工作人员，不需要您做什么。"
REASSIGNED_NOTICE = "已改派给其他工作人员处理。"
CLOSED_UNRATED_NOTICE = "办结7天未评价，已自动关闭。如问题仍在，可以重新反映。"
MERGED_NOTICE = "与工单 {into} 是同一件事，已合并到该工单办理。"
REJECTED_NOTICE = "不属于街道受理范围：{note}。如有疑问可以发“转人工”。"
# To a follower: status only
FOLLOWED_HEAD = "【您关注的工单 {number}】"
FOLLOWED_RESOLVED = "已办结。"
FOLLOWED_CLOSED = "已办结并关闭。"
FOLLOWED_CLOSED_UNRATED = "已办结并关闭。如问题仍在，可以重新反映。"
FOLLOWED_REOPENED = "已重新办理。"
FOLLOWED_WITHDRAWN = "已撤回，不再办理。如问题仍在，可以重新反映。"
FOLLOWED_MERGED = "与同一件事的其他工单合并办理。"
FOLLOWED_REJECTED = "经核实不属于街道受理范围。如有疑问可以发“转人工”。"
# To the resident of a booking, points or a handoff
HANDOFF_ENDED_BY_STAFF = "工作人员已结束人工服务，回到机器人。请评价这次人工服务："
HANDOFF_REPLY = "工作人员 {name}：{text}"
BOOKING_CANCELLED_NOTICE = "您{when}的调解预约已被取消。需要时可以重新发“预约调解”。"
BOOKING_RESCHEDULED_NOTICE = "您的调解预约改到了{when}。"
BOOKING_OUTCOME_NOTICE = "您的调解已结束：{outcome}。"
POINTS_AWARDED_NOTICE = "您获得 {amount} 志愿积分（{reason}），现有 {balance} 分。"
POINTS_REVERSED_NOTICE = "您的志愿积分被扣回 {amount} 分（{reason}），现有 {balance} 分。"
REWARD_COLLECTED_NOTICE = "取货码 {code} 的礼品已领取。"
# To staff: case cards and short notices
NO_GRID = "地址未对应到网格"
CARD_TITLE = "【{title} 工单 {number}】"
CARD_HEAD = "【{title} 工单 {number}】{category}｜{tier}｜{grid}"
CARD_PLACE = "地点：{address}"
CARD_PHONE = "联系电话：{phone}（完整号码见工单详情）"
CARD_STEPS = {"sign": "签收", "contact": "联系居民", "resolve": "办结"}
CARD_DUE = "{when}前{step}"
CARD_DUES = "请{dues}。"
NEW_CASE = "新工单"
REASSIGNED_TO_YOU = "改派给您"
ESCALATED_TO_YOU = "升级督办"
FOR_INFORMATION = "知会"
REASSIGNED_FOR_INFORMATION = "改派知会"
INFORMED_CARD = "【{title} 工单 {number}】{category}｜{grid}：{description}\n已派给{role}办理，您知悉即可。"
STAFF_REOPENED = "【工单 {number}】您办结的工单居民评价为“{solved}、{satisfaction}”{reason}。已重新办理并重新派单。"
REOPEN_REASON = "，理由：{note}"
STAFF_ESCALATED = "\n已升级由您督办（第{level}级）。原因：{note}"
CENTRE_ESCALATED = "【升级至指挥中心 工单 {number}】{where}{state}\n原因：{note}"
CENTRE_ESCALATED_WHERE = "{category}｜{grid}｜"
STAFF_HURRIED = "【工单 {number}】居民催办，请尽快处理。"
STAFF_HURRIED_DUE = "办结期限：{when}。"
STAFF_EXTENDED = "【工单 {number}】办结期限延至{when}。原因：{note}"
STAFF_MERGED = "【工单 {number}】已合并到工单 {into}，本单无需再办理。"
STAFF_REJECTED = "【工单 {number}】指挥中心认定不属于受理范围（{note}），本单无需再办理。"
STAFF_WITHDRAWN = "【工单 {number}】居民已撤回，无需再办理。"
STAFF_DETAIL = "【工单 {number}】居民补充情况：{note}"
BOOKING_SUMMARY = "{when}，{mode}{room}"
BOOKING_ROOM = "，{room}"
MEDIATOR_BOOKED = "【新调解预约 {booking}】{summary}。纠纷：{dispute}"
MEDIATOR_RESCHEDULED = "【调解预约 {booking}】改到{summary}（原定{previous}）。"
MEDIATOR_CANCELLED = "【调解预约 {booking}】{when}的预约已取消。"
MEDIATOR_CANCEL_REASON = "原因：{reason}"
CANCEL_REASONS = {"erasure": "居民删除了个人数据"}  # reasons the system gives (civic.services.erasure)
MEDIATOR_OUTCOME = "【调解预约 {booking}】结果已记录：{outcome}。"
HANDOFF_REQUEST = "【转人工】居民 {resident} 请求人工服务（{reason}），请在{when}前回复。"
HANDOFF_SAID = "最近说的：{summary}"
HANDOFF_CASE = "已为此开了工单 {number}。"

# --- staff on Telegram (bot/telegram/staff.py, bot/telegram/staff_group.py) --------------

MOVES = {"sign": "签收", "contact": "已联系", "start": "开始处理", "progress": "进展", "resolve": "办结",
         "return": "退回", "reassign": "改派", "escalate": "升级", "extend": "延期", "view": "查看"}
# The words for "may do it": who, for a refusal that names them.
MAY_ASSIGNEE = "承办人{name}"
MAY_LEADER = "网格长{name}"
MAY_CENTRE = "街道综合指挥中心"
MAY_JOIN = "或"
TOPIC_CENTRE = "指挥中心"
TOPIC_TRIAGE = "待分派（指挥中心）"
TOPIC_HANDOFF = "转人工｜{category}｜{name}"
TOPIC_HANDOFF_ANYONE = "居民"  # no name known
BOARD_CARD = ("【工单 {number}】{category}｜{tier}｜{grid}\n{description}\n地点：{address}\n"
              "状态：{state}｜承办：{assignee}\n期限：{dues}")
BOARD_LAST = "最近：{who}{when}{action}"
BOARD_PHOTOS = "📷 居民附了 {count} 张照片（见本卡片下的回复）"
BOARD_ESCALATED = "⚠️ 已升级（第{level}级）"
BOARD_DUE = "{step}{when}"
BOARD_DUE_DONE = "{step}✓"
BOARD_DUE_LATE = "{step}{when}（已超时）"
BOARD_NO_ADDRESS = "未说明"
BOARD_SUMMARY = ("【新工单汇总 {count} 件】新工单较多，为不超过群消息上限先汇总发出；每件有新进展时会单独出卡片。"
                 "私聊我发“/case 工单号”可以直接办理：\n{lines}")
BOARD_SUMMARY_LINE = "{number}｜{category}｜{tier}｜{address}"
PRIVATE_CARD_DETAIL = "居民电话：{phone}\n完整地址：{address}"
STAFF_NOT_LINKED = ("您还不是已绑定的工作人员，不能办理工单，什么也没有改变。"
                    "请向街道综合指挥中心要绑定码，私聊发给我完成绑定。")
STAFF_NOT_ALLOWED = "工单 {number}：您不能{move}，什么也没有改变。可以{move}的是{who}。"
STAFF_NOT_NOW = "工单 {number} 现在“{state}”，不能{move}，什么也没有改变。"
STAFF_TAKEN = "工单 {number} 已由{name}于{when}签收，不用再签了。"
STAFF_NOT_FOUND = "没有找到工单 {number}，请核对工单号。"
STAFF_MOVED = "工单 {number}：“{move}”已办好，群里的卡片和居民会随之更新。"
STAFF_ASK = {
    "progress": "请回复工单 {number} 的进展说明（居民会看到）。",
    "resolve": "请回复工单 {number} 的办理结果（居民会看到，并请居民评价）。",
    "return": "请回复退回工单 {number} 的原因，退回后由指挥中心重新分派。",
    "extend": "请回复工单 {number} 的新办结期限和原因，例如“12月5日18:00 等待配件到货”。",
}
STAFF_ASK_REASSIGN = "工单 {number} 改派给谁？请选择："
STAFF_NO_ONE = "这个工单的网格里没有可以改派的人员，什么也没有改变。请联系街道综合指挥中心改派。"
STAFF_EXTEND_FORMAT = "没看懂新的期限，什么也没有改变。请按“12月5日18:00 原因”的格式，再按一次“延期”。"
STAFF_NOTE_EMPTY = "说明不能为空，什么也没有改变。请再按一次按钮重新填写。"
STAFF_LINKED = "绑定成功：{name}（{role}）。群里的工单按钮和私聊命令 /cases /case /rates 都会以这个身份办理。"
STAFF_LINK_BAD = "绑定码无效、已过期或已经用过，什么也没有改变。请向街道综合指挥中心要一个新的。"
STAFF_PRIVATE_ONLY = "这个命令请私聊我使用。"
STAFF_CASES_NONE = "您手上没有未办结的工单。新工单会出现在群里对应网格的话题中。"
STAFF_CASES_HEAD = "您的未办结工单（期限近的在前），点按钮查看和办理："
STAFF_CASE_LINE = "{number}｜{category}｜{state}｜{due}"
STAFF_CASE_USAGE = "用法：/case 工单号，例如 /case 20261118-0001"
STAFF_NEXT_DUE = "{step}期限{when}"
STAFF_CODE_USAGE = "用法：/code 姓名（或工号），例如 /code 王建国"
STAFF_CODE_UNKNOWN = "人员名单里没有“{name}”，什么也没有改变。请核对姓名或工号。"
STAFF_CODE_ISSUED = "{name}（{role}）的绑定码：{code}\n{when}前有效，只能用一次。请当面交给本人，由本人私聊发给我。"
STAFF_ONLY_CENTRE = "只有街道综合指挥中心可以发放绑定码。"
STAFF_RATES_HEAD = "三率（{scope}）"
STAFF_RATES_WEEK = "{label}：响应率 {response}，解决率 {resolution}，满意率 {satisfaction}（派单 {dispatched} 件，评价 {rated} 件）"
STAFF_RATES_THIS, STAFF_RATES_LAST = "本周", "上周"
STAFF_RATES_STREET = "全街道"
NO_RATE = "—"
STAFF_POINTS_USAGE = ("用法：\n/points award 居民ID 分数 原因 —— 发放积分\n"
                      "/points reverse 居民ID 记录号 分数 原因 —— 扣回积分（可只扣一部分）")
STAFF_POINTS_AWARDED = "已给居民 {resident} 发放 {amount} 分（记录号 {entry}），居民会收到通知。"
STAFF_POINTS_REVERSED = "已扣回居民 {resident} {amount} 分（记录号 {entry}），居民会收到通知。"
STAFF_REFUSED = "没有办成，什么也没有改变：{why}"
# Why a staff command was refused, by the domain error's name (the rest: STAFF_REFUSED_OTHER).
STAFF_REFUSALS = {
    "NotAllowed": "这超出了您的职责范围", "IllegalMove": "工单现在的状态不允许这样做",
    "NoteRequired": "需要填写说明", "CaseNotFound": "没有找到这个工单",
    "AwardTooLarge": "一次发放的积分超过上限", "UnknownKind": "积分类别不对（社区建设、公共美德、公共安全）",
    "EntryNotFound": "没有找到这条积分记录", "BookingNotFound": "没有找到这个预约",
    "InvalidBooking": "预约现在的状态不允许记录结果",
}
STAFF_REFUSED_OTHER = "请核对后再试，或联系街道综合指挥中心"
STAFF_EXTEND_EARLY = "新的期限要晚于现在和原定期限"
STAFF_PROMPT_STALE = "这个问题已经过期或被新的按钮替代，什么也没有改变。请在卡片上重新按按钮。"
STAFF_RATES_NONE = "您的职责没有对应的网格或社区，没有三率可看。"
STAFF_BOOKINGS_NONE = "今天和明天没有您的调解预约。"
STAFF_BOOKINGS_HEAD = "今天和明天的调解预约（调解结束后点结果）："
STAFF_BOOKING_LINE = "{booking}｜{when}｜{mode}｜{dispute}"
STAFF_ONLY_MEDIATOR = "只有人民调解员和指挥中心可以查看调解预约。"
STAFF_OUTCOME_SAVED = "预约 {booking} 的结果已记录：{outcome}，居民会收到通知。"
STAFF_HELP = ("工作人员命令（私聊）：\n/cases 我的未办结工单\n/case 工单号 查看和办理\n/rates 本周和上周三率\n"
              "/points 发放或扣回积分\n/bookings 调解预约（调解员）\n/code 姓名 发绑定码（指挥中心）")
HANDOFF_TOPIC_OPENED = ("【转人工】{reason}，请在{when}前回复。\n类别：{category}\n地址：{address}\n"
                        "居民说：\n{said}\n未办结工单：{cases}\n"
                        "在本话题直接回复，居民就会收到（署名“工作人员+您的名字”）；发 /done 结束人工服务。")
HANDOFF_OUT_OF_HOURS = "现在是非工作时间，居民已被告知回复时间；已为此开了工单 {number}。"
HANDOFF_NOTHING_SAID = "（还没有说）"
HANDOFF_NO_CASES = "无"
HANDOFF_RESIDENT_SAID = "居民：{text}"
HANDOFF_DONE_IN_TOPIC = "已结束人工服务，居民已收到评价邀请。本话题已关闭，居民再转人工时会重新打开。"
HANDOFF_ALREADY_ENDED = "这位居民的人工服务已经结束了，消息没有转给居民。"
HANDOFF_STAFF_ONLY = "只有已绑定的工作人员可以在这里回复居民，您的消息没有转给居民。"
HANDOFF_RESIDENT_BLOCKED = "⚠️ 居民已屏蔽机器人，之后的回复发不出去了。可以在工单里查看其联系电话。"

# --- the console (bot/console.py) ------------------------------------------------------

CONSOLE_PROMPT = "你> "


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
    "location": "暂时还不能按位置找到网格。请打字写出小区和楼号，或路名和门牌号，如“{example_place}”。",
}
CANNOT_TAKE_OTHER = "这类消息我暂时处理不了。" + WHAT_I_TAKE
# Telegram: the reply-keyboard button that shares the resident's own number, what closes
# that keyboard, the answer in groups (the bot serves residents in a private chat only),
# and the answer when handling a message failed for good.
SHARE_PHONE = "📱 发送我的手机号"
SHARE_PHONE_HINT = "也可以点下方的“📱 发送我的手机号”，直接留本机号码。"
PHONE_KEYBOARD_CLOSED = "好的。"
GROUP_PRIVATE_ONLY = "我只在私聊里为居民办事。请点我的头像，私聊发消息给我。"
TURN_FAILED = "抱歉，这条消息我这边处理出错了，没有办成。请稍后再发一次，或发“转人工”。"
NOT_OWN_CONTACT = "只能留您本人的手机号。请直接输入您的手机号，或点“跳过”不留。"
HANDOFF_ACK = ("您的消息已转给工作人员，他们会在{when}前在这里回复您，之后发的消息也会转给他们。"
               "想回到机器人，请发“结束人工”。")
HANDOFF_ENDED_BY_RESIDENT = "好的，已结束人工服务，回到机器人。请评价这次人工服务："
HELP_RATED = "谢谢您的评价！还有别的事可以直接跟我说。"
HELP_NOT_RATABLE = "这次人工服务已经评价过了，谢谢。还有别的事可以直接跟我说。"
NO_SUCH_OPTION = "没有这个选项，请输入 1 到 {count} 之间的数字，或直接打字。"

# --- a shared location, a photo (bot/turn.py, actions/report.py, civic evidence) -------

LOCATION_ADDRESS = "位置（{lat:.5f}, {lon:.5f}）附近"
LOCATION_IN_GRID = "这个位置在{grid}，会交给这个网格办理。"
LOCATION_OUTSIDE = "这个位置不在{street}的网格范围内，会交给街道综合指挥中心人工分派，不影响办理。"
LOCATION_HERE = "这个位置在{grid}。要反映这里的问题，直接说是什么问题；问到地点时，再发一次位置就行。"
LOCATION_NOT_HERE = ("这个位置不在{street}的网格范围内。如果是本街道的事，请写出小区和楼号，或路名和门牌号；"
                     "其他地方的问题可以拨打12345市民服务热线。")
LOCATION_LATER = "收到位置（{where}）。请先回答上面的问题，问到问题发生在哪里时再发位置。"
LOCATION_OUTSIDE_SHORT = "不在本街道的网格范围内"
LOCATION_FOR_STAFF = "[位置] {lat:.5f}, {lon:.5f}"
PHOTO_FOR_REPORT = "收到照片，提交工单时会一起附上。"
PHOTO_ADDED = "收到照片，已附到您的工单 {number}，工作人员可以看到。"
PHOTO_KEPT = "收到照片。请说说是什么问题，提交后照片会一起附上。"
PHOTO_FOR_STAFF = "[照片]"
PHOTO_STAFF_NOTICE = "【工单 {number}】居民补充了{count}张照片，可在工单详情中查看。"

# --- no silent failure (bot/turn.py, bot/agent.py): an action or service that failed -----
# What the resident sent is kept for staff (a handoff); the traceback goes to the log, masked.

SYSTEM_FAILED = "系统出了点问题，您说的内容已保存，工作人员会跟进"
# What a resident sent, as staff read it when no words came with it (keyed by kind).
SENT_FOR_STAFF = {"button": "[按了一个按钮]", "contact": "[分享了联系人]", "sticker": "[表情]",
                  "voice": "[语音]", "video": "[视频]", "document": "[文件]",
                  "edited": "[修改了一条消息]", "other": "[一条消息]"}

# --- 催办 counted once per case per working half-day (actions/cases.py) -----------------

HURRIED_ALREADY = ("工单 {number} 已催办过，工作人员已收到提醒，{when}前会有答复。"
                   "到时还没有答复，可以再催办。")
HURRIED_ALREADY_LATE = ("工单 {number} 已催办过，工作人员已收到提醒。这件事已超过办理时限，"
                        "街道会继续督办；{when}后可以再催办。")

# --- rating refused, with the reason (actions/cases.py, issue 13) ------------------------

CANNOT_RATE_YET = "工单 {number} 还在办理中，现在不能评价。办结后我会请您评价。"
CANNOT_RATE_STATE = "工单 {number} 现在是“{state}”，不能评价了。"

# --- the weekly 三率 chart (bot/charts.py) ------------------------------------------------

CHART_TITLE = "三率：本周与上周"
CHART_RATES = {"response": "响应率", "resolution": "解决率", "satisfaction": "满意率"}
CHART_THIS, CHART_LAST = "本周", "上周"
CHART_WEEK = "{week}（{day}起）"
CHART_DATE = "{month}月{day}日"
CHART_STREET = "全街道"
CHART_VALUE = "{share:.0%} ({part}/{whole})"
CHART_NO_DATA = "— 无数据"
CHART_NOTE = ("响应率＝按时响应/派单，解决率、满意率按已评价工单计，括号内为件数；"
              "“— 无数据”：该周没有派单或没有评价。")

# --- reminders and the weekly report (civic/services/reminders.py, reports.py; bot/notices.py) --

# To the assignee before a deadline (催办提醒); to the responder on duty for an urgent case
# out of office hours. {step} from CARD_STEPS; {then} one of the two below.
DEADLINE_REMINDER = "【催办提醒 工单 {number}】{category}｜{grid}\n请在{when}前{step}。{then}"
DEADLINE_REMINDER_ON_DUTY = ("【值班提醒 工单 {number}】{category}｜{grid}｜紧急\n承办的{handler}尚未{step}，"
                             "期限{when}。现在是非工作时间，请您跟进处理。{then}")
DEADLINE_THEN_ESCALATE = "超时未{step}将自动升级督办。"
DEADLINE_THEN_TOP = "已是最高督办级别，请按时办理。"
# A mediation booking, a day and an hour before: to the resident, and to the mediator.
BOOKING_REMINDER_RESIDENT = {
    "day": "【调解提醒】您预约的人民调解{when}开始，{mode}{room}。请准时参加；要改时间或取消，发“我的预约”。",
    "hour": "【调解提醒】您预约的人民调解一小时后开始（{when}，{mode}{room}）。请准时参加；来不了请发“我的预约”取消。",
}
BOOKING_REMINDER_MEDIATOR = "【调解提醒 预约 {booking}】{summary}。纠纷：{dispute}{then}"
BOOKING_REMINDER_MEDIATOR_THEN = {"day": "\n请提前做好准备。", "hour": "\n一小时后开始。"}
# To the reporter of a case resolved a day ago and not rated (with the two rating buttons).
RATING_REMINDER = ("已办结一天了，还没收到您的评价。问题解决了吗？请点下面的按钮回答；"
                   "办结7天未评价，工单会自动关闭。")
# To the command centre's desk every Monday: last week beside the week before.
WEEKLY_RATES_HEAD = "【每周三率】{week}，括号内为前一周（{previous}）："
WEEKLY_RATES_WEEK = "{start}—{end}"
WEEKLY_RATES_DATE = "{month}月{day}日"
WEEKLY_RATES_LINE = ("{name}：派单 {dispatched}（{dispatched_last}）件，响应率 {response}（{response_last}），"
                     "解决率 {resolution}（{resolution_last}），满意率 {satisfaction}（{satisfaction_last}）")
WEEKLY_RATES_STREET = "全街道"
WEEKLY_RATES_PERCENT = "{share:.0%}"
WEEKLY_RATES_NONE = "—"
WEEKLY_RATES_NEXT = "下周一同一时间发下一期。"
