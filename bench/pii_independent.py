"""An independent labelled PII set: hand-written contexts the recognizers were not built from, in a dev and a test half.

    python bench/pii_independent.py [--split test] [--out pii_independent.jsonl]

bench/pii_data.py was written next to the recognizers, so it measures what they were designed for. This set was
written afterwards, from the kinds of text a team actually feeds the data studio: support tickets, e-mails, chat
logs, CRM notes, forms, and mixed Chinese/English messages. Names come from several origins (English, Spanish and
Latin American, Indian, Arabic, Japanese and Korean romanised, Vietnamese, Chinese in pinyin and in characters);
phones from many plans, NANP numbers with any area code (allocated or not) included; every structured type the
`pii` op supports (EMAIL, PHONE, IP, URL, CARD, CN_ID, PASSPORT) appears, each value valid where the type has a
check (Luhn, GB 11643). Negatives hold no PII but look-alikes: order and ticket numbers, dates, prices, versions,
SKUs, brand and place names, Chinese words that begin with a surname character, and "发给" followed by a department.

Dev/test discipline: templates and name pools are each split in two by position (even → dev, odd → test), and the
halves are drawn with different seeds, so the test half has contexts and names the dev half never showed. Tune on
`dev`; report on `test`. The recognizers were tuned on dev, then test was run once (its numbers are in docs/data.md
as the held-out result); test's misses then showed general gaps (missing surnames, list continuations, greetings)
that were fixed, so test is no longer untouched. `final` holds templates written after that tuning, run once, with
names from both pools; it showed that cue rules alone miss names in unseen contexts, and `final2` (new templates
and names no other part has, written before the last rule change) was then run once to measure that change.
Every row: {"split", "kind", "lang", "text", "spans": [{"type", "start", "end", "text"}]}.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string

# ---- name pools (split even/odd into dev/test by position) -------------------------------------------------------
GIVEN = {
    "english": "Oliver Charlotte Ethan Amelia Noah Harper Liam Evelyn Mason Abigail Logan Ella Caleb Nora Owen Lily "
    "Wyatt Zoe Henry Claire",
    "latin": "Maria José Alejandro Lucía Mateo Valentina Diego Camila Javier Ximena Santiago Paula Andrés Daniela "
    "Fernando Gabriela",
    "indian": "Arjun Ananya Rahul Deepika Vikram Sneha Aditya Kavya Rohan Meera Sanjay Lakshmi "
    "Karthik Pooja Nikhil Divya",
    "arabic": "Ahmed Fatima Mohammed Layla Yusuf Mariam Khalid Noor Omar Huda Tariq Salma Hassan Amira Karim Rania",
    "east_asian": "Haruto Yui Sota Aoi Ren Sakura Kenji Yuna Min-jun Seo-yeon Ji-ho Ha-eun Dong-hyun "
    "Soo-jin Takeshi Emi",
    "pinyin": "Jianguo Xiaoling Wei Na Haoran Yiting Zhiqiang Meiling Jun Xue Tao Lihua Peng Yan Bo Qian",
}
FAMILY = {
    "english": "Thompson Reynolds Brooks Foster Hughes Price Sanders Barnes Fisher Henderson Coleman Simmons "
    "Patterson Reed Hayes Myers Hamilton Graham Crawford Holloway",
    "latin": "Gonzalez Ramírez Torres Flores Rivera Morales Ortiz Castillo Vargas Mendoza Herrera Medina Aguilar "
    "Navarro Romero Delgado",
    "indian": "Sharma Iyer Reddy Gupta Nair Mehta Desai Kulkarni Banerjee Chatterjee Rao Menon Pillai "
    "Joshi Verma Singh",
    "arabic": "Al-Farsi Haddad Nasser Khoury Mansour Saleh Aziz Hamdan El-Sayed Qureshi Rahman Abbas Darwish Bakr "
    "Hakim Jaber",
    "east_asian": "Tanaka Suzuki Watanabe Yamamoto Nakamura Kobayashi Kato Yoshida Park Choi Jung Kang Yoon Lim Han "
    "Shin",
    "pinyin": "Wang Li Zhang Liu Chen Yang Huang Zhao Zhou Wu Xu Sun Ma Zhu Hu Guo",
}
VIET_FAMILY = ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui", "Do", "Ngo", "Duong"]
VIET_MIDDLE = ["Van", "Thi", "Duc", "Minh", "Ngoc", "Quoc"]
VIET_GIVEN = ["An", "Binh", "Hoa", "Lan", "Tuan", "Huong", "Dung", "Thao", "Quang", "Linh", "Khanh", "Trang"]
ZH_FAMILY = (
    "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
ZH_GIVEN2 = [
    "建国",
    "秀兰",
    "志强",
    "海燕",
    "俊杰",
    "婉婷",
    "宏伟",
    "丽娟",
    "晓峰",
    "雪梅",
    "嘉怡",
    "子墨",
    "浩宇",
    "诗涵",
    "博文",
    "立新",
    "春花",
    "德华",
    "永明",
    "慧敏",
    "国栋",
    "玉珍",
    "家豪",
    "思琪",
]
ZH_GIVEN1 = ["磊", "静", "勇", "敏", "洁", "鹏", "琳", "斌", "翔", "颖", "健", "倩"]
ZH_COMPOUND = ("欧阳", "司徒", "上官", "诸葛", "慕容", "东方")

# ---- templates: {SLOT} is labelled PII, {lower} is filler with no PII ---------------------------------------------
# P full name (Latin script), F first name alone, Z Chinese name in characters, E email, T phone (any plan),
# U NANP phone, M Chinese mobile, L Chinese landline, I IP, W URL, C card, D Chinese ID, X passport.
NAMES_EN = [
    "#{tid} {P} called about a double charge on the March statement.",
    "Ticket {tid} — {P} reports that the app crashes right after login.",
    "{P} (account {acct}) asked for a refund of ${price}.",
    "Escalated by {P} after two failed deliveries to the warehouse.",
    "Case {tid}: spoke with {P}, who confirmed the new shipping address.",
    "Customer {P} says the charger stopped working after the {ver} update.",
    "Hi {F},\n\nThanks for reaching out. Your replacement ships today.",
    "Best regards,\n{P}\nAccount Manager, {company}",
    "Please loop in {P} before the Friday review.",
    "[09:14] {P}: the router keeps dropping the connection",
    "Met {P} at the Denver expo; interested in the enterprise tier.",
    "Lead owner: {P}. Source: webinar on {date}.",
    "{P} moved to {company} last month and wants the account transferred.",
    "Assigned to {P} · priority high · due {date}",
    "Note from {P}: customer prefers a call in the morning.",
    "Good morning {F}, your appointment is confirmed for {date}.",
    "Reviewer: {P}\nStatus: approved\nComments: none",
    "I spoke to {P} and {P} yesterday; both agreed to the new terms.",
    '{P} wrote: "the invoice total is wrong, please fix it"',
    "Voicemail left for {P} regarding order {order}.",
    "Thank you, {F}! We have updated your subscription.",
    "Attendees — {P}, {P}, {P}",
    "Signed,\n{P}",
    "RE: order {order} — {P} is still waiting for the refund.",
    "Patient {P}, age 54, was seen on {date}.",
    "Driver {P} picked up the parcel at {time}.",
    "Per {P}, the contract renewal is on hold until {date}.",
    "{P} from {company} requested a quote for 40 seats.",
]
NAMES_MIXED = [
    "Please ask {Z} to sign the contract by Friday.",
    "Meeting with {Z} and {P} at 3pm in room 402.",
    "Hi team, {Z} will take over the Shanghai accounts from next week.",
    "Forwarded to {Z} in finance for approval.",
    "{Z}的快递 has been delayed, please check.",
    "cc {Z}：发票已经寄出了",
    "Thanks {Z}, the report looks good.",
    "客户{P}反馈说 the login page is broken.",
    "请把合同发给{Z}，她今天下午在公司。",
    "刚才{P}打电话来问退款的事。",
    "Owner: {Z} / 负责人：{Z}",
    "The PO was approved by {Z} yesterday.",
]
NAMES_ZH = [
    "请把合同发给{Z}。",
    "麻烦把这份报价交给{Z}处理。",
    "已经通知{Z}了，明天上午开会。",
    "我昨天打电话给{Z}，没人接。",
    "和{Z}约了周三下午见面。",
    "下单人：{Z}　配送时间：工作日",
    "经理{Z}已批准这笔报销。",
    "抄送：{Z}、{Z}",
    "由{Z}负责跟进这个客户。",
    "患者{Z}，男，45岁，主诉头痛三天。",
    "让{Z}明天把报告交上来。",
    "这单是{Z}介绍来的客户。",
    "请转交{Z}签字后寄回。",
    "值班人员：{Z}（白班）、{Z}（夜班）",
    "已将样品寄给{Z}，请注意查收。",
    "今天下午{Z}来店里取的货。",
    "签收人{Z}，签收时间{date}。",
    "{Z}老师，您好！作业已经提交。",
    "投诉人{Z}称商品有破损。",
    "这个问题我已经转给{Z}了。",
]
STRUCTURED = {
    "PHONE": [
        "Reach me on {T} after 5pm.",
        "My number changed — it's now {U}.",
        "Callback requested: {U} (mobile)",
        "tel. {T}",
        "He left a voicemail from {U} at {time}.",
        "WhatsApp: {T}",
        "联系方式：{M}",
        "有问题请拨{M}，工作日在线。",
        "座机 {L} 转 8021",
        "新号码是{M}，旧的{M}已经停用了。",
        "Office {L}, mobile {M}",
        "You can text {U} or call the office at {U}.",
        "客户留的电话：{T}",
        "Emergency contact: {T}",
    ],
    "EMAIL": [
        "Send the receipt to {E} please.",
        "Reply-To: {E}",
        "Contact: <{E}>",
        "邮箱{E}，收到请回复。",
        "Her new address is {E}; the old one bounces.",
        "发到{E}就行",
        "Login email: {E} | last seen {date}",
        "cc: {E}, {E}",
    ],
    "IP": [
        "Failed login from {I} at 03:12 UTC.",
        "Please whitelist {I} on the firewall.",
        "client_ip={I} status=403 path=/admin",
        "来自{I}的异常登录已被拦截。",
        "ssh admin@{I} -p 2222",
        "The device at {I} stopped responding.",
        "登录地址：{I}",
    ],
    "URL": [
        "Profile: {W}",
        "See {W} for the photos of the damage.",
        "个人主页 {W}",
        "I posted the details at {W} yesterday.",
        "链接：{W}，请查看。",
    ],
    "CARD": [
        "Please charge card {C}, exp 09/27.",
        "卡号：{C}",
        "The payment on {C} was declined twice.",
        "cc number {C} cvv on file",
        "客户用尾号不同的卡{C}重新付款了。",
        "Refund to the original card ({C}).",
    ],
    "CN_ID": [
        "身份证：{D}",
        "ID card number {D} was uploaded on {date}.",
        "证件号码 {D}，有效期至2031年。",
        "id_number={D}",
        "乘车人身份证号{D}",
    ],
    "PASSPORT": [
        "Passport No. {X}, expires {date}.",
        "护照号码：{X}",
        "Traveller passport: {X}",
        "请核对护照{X}的信息。",
        "passport {X} (issued 2019)",
    ],
}
FORMS = [
    "Full name: {P}\nDate of birth: {date}\nPassport no.: {X}\nEmail: {E}",
    "Cardholder: {P} | Card: {C} | Phone: {U}",
    "Name | Phone | Email\n{P} | {T} | {E}",
    "姓名：{Z}\n身份证号：{D}\n手机：{M}\n邮箱：{E}",
    "From: {P} <{E}>\nSubject: invoice {inv}\n\nPlease call me at {U}.",
    "收货人：{Z}，电话{M}，备注：放门卫。",
    "New signup: {P}, {E}, IP {I}",
    "Emergency contact {P}, phone {T}; profile {W}",
    "旅客{Z}，护照{X}，联系电话{T}",
    "— {P}\n{company} | {U} | {E}",
]
NEGATIVES = [
    "Order {order} shipped on {date}; total ${price}.",
    "Upgrade to v{ver} (build {build}) before {date}.",
    "Invoice INV-{inv} is due on {date}.",
    "SKU {sku}, qty {qty}, unit price ${price}.",
    "Ticket #{tid} closed: duplicate of #{tid2}.",
    "We tested the Galaxy Note and the Surface Pro side by side.",
    "Apple Pay and Google Wallet are both accepted at checkout.",
    "Meet at Union Square near Market Street at {time}.",
    "Happy Thanksgiving from the Customer Success team!",
    "The reference 4000 1234 5678 9010 is not a valid card number.",
    "OID 1.3.6.1.4.1.{qty} identifies the vendor MIB.",
    "Error code 0x{hexid} was logged {qty} times since Monday.",
    "Call volume rose to {big} last quarter.",
    "Room 12-204, Building 3, opens at 08:30.",
    "Package weight 2.45 kg, tracking {track}.",
    "请把报告发给财务部。",
    "文件已经交给客服处理了。",
    "方案已经发给大家了，请查收。",
    "黄山景区门票¥{price}，周末不打折。",
    "马上为您处理，请稍等。",
    "订单号：{order}，金额：¥{price}",
    "版本号 {ver}，构建 {build}",
    "时间：{date} {time}",
    "快递单号 YT{digits13}",
    "发票号码 {inv}，开票日期{date}",
    "电话会议定在明天上午十点。",
    "高铁票已经改签到下午。",
    "通知全体员工：周五提前下班。",
    "王者荣耀的服务器今晚维护。",
    "金额合计：{big}元",
]
# Written after tuning on dev had ended (and after the one look at test), and evaluated once: the "final" split.
FINAL = {
    "NAME_EN": [
        "Minutes: {P} opened the meeting; {P} took notes.",
        "Delivery note — left with neighbour {P} at no. 14.",
        "@{F} thanks for the quick fix!!",
        "New hire: {P}, starts Monday in the Austin office.",
        "Can you confirm the booking for {P}? Two adults, one child.",
        "{P} has requested a copy of their personal data under GDPR.",
        "Interviewer feedback ({P}): strong on SQL, weak on system design.",
        "Booked by {P} via the mobile app.",
        "Yo {F}, the shipment is stuck in customs again",
        "Emergency: {P}'s flight was cancelled, rebook asap.",
        "Complaint #{tid} filed by {P} regarding late delivery.",
        "Beneficiary name: {P}",
    ],
    "NAME_MIXED": [
        "Shipment for {Z} is on hold at the Shenzhen warehouse.",
        "{P}说 the invoice is wrong",
        "请通知{P}，the demo moved to Thursday.",
        "Account manager: {Z}, backup: {P}",
    ],
    "NAME_ZH": [
        "周会纪要：{Z}介绍了新版本的进度，{Z}负责测试。",
        "快递已由{Z}代收。",
        "面试官{Z}的评价：沟通能力强。",
        "新员工{Z}下周一入职，请准备电脑。",
        "退款申请人：{Z}，原因：商品与描述不符。",
        "麻烦帮我联系一下{Z}，问问合同的事。",
        "{Z}和{Z}负责这次活动的布置。",
        "昨晚{Z}在群里说周末加班。",
        "请{Z}同学下课后到办公室来一趟。",
        "本次航班旅客{Z}请到登机口办理手续。",
    ],
    "PHONE": ["Text me at {U} if the courier is late.", "紧急联系人电话：{M}", "fax {L}", "ring me on {T} tmrw"],
    "EMAIL": ["Forward it to {E} and copy me.", "账号绑定的邮箱：{E}"],
    "IP": ["Blocked {I} after 50 failed attempts.", "本机IP {I}，网关{I}"],
    "URL": ["My portfolio: {W}", "视频链接 {W} 已失效"],
    "CARD": ["Please refund to {C}.", "信用卡{C}已挂失"],
    "CN_ID": ["Guest ID (PRC): {D}", "户主身份证号码：{D}"],
    "PASSPORT": ["Passport number on file: {X}", "出境需要护照，号码{X}"],
    "FORM": [
        "Applicant: {P}\nMobile: {U}\nE-mail: {E}\nPassport: {X}",
        "报名表｜姓名：{Z}｜电话：{M}｜身份证：{D}",
        "Billing contact — {P}, {E}, card {C}",
    ],
    "NEGATIVE": [
        "Flight CA{qty} departs at {time} from gate 23.",
        "Patch {ver} fixes the crash reported in issue #{tid}.",
        "Your verification code is {inv}; it expires in 10 minutes.",
        "Black Friday sale: {qty}% off all Samsung Galaxy phones.",
        "会员积分{big}，可兑换礼品。",
        "请于{date}前完成年度体检。",
        "周一例会改到会议室B。",
        "The Amazon Echo and Google Nest both support the new skill.",
        "Serial number SN-{digits13}, firmware {ver}.",
        "Call center hours: 9am-6pm, Monday to Friday.",
    ],
}
# Written before the last round of rule changes (after final had been run once) and evaluated once: "final2",
# with given names and family names found in no other part.
FINAL2_NAMES = {
    "given": "Beatriz Tomás Ingrid Mikhail Priyanka Anil Zainab Bilal Hana Daichi Ji-woo Thu Hieu Chloé Kwame Amara",
    "family": "Oliveira Petrov Lindqvist Okoye Chaudhry Farouk Sato Matsumoto Seo Bae Truong Luong Dubois Mensah",
    "zh_given": "梓萱 雨桐 一诺 欣妍 明轩 俊熙 宇航 晨曦 紫涵 佳豪 文静 国庆 淑芬 桂英 振华 晓丽 亮 芳 霞 军".split(),  # noqa: SIM905
    "zh_family": "冯于董程曹袁邓许沈曾彭吕苏卢蒋蔡魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江",
}
FINAL2 = {
    "NAME_EN": [
        "Shift swap approved: {P} covers Saturday, {P} takes Sunday.",
        "Package signed for by {P} at the front desk.",
        "{P} left a 1-star review mentioning the slow refund.",
        "We owe {P} a callback about the warranty claim.",
        "Quote prepared for {P} (Oliveira Imports).",
        "hey {F} did u get my last msg?",
        "Pls reset the password for {P}, locked out since yesterday.",
        "Dr. {P} will see the patient at 10.",
        "Winner of the raffle: {P}!",
        "Thanks to {P} and {P} for covering the night shift.",
    ],
    "NAME_MIXED": [
        "Please send the NDA to {Z} before the kickoff.",
        "{Z} will present the Q3 numbers on Friday.",
        "发票抬头写{P}就可以，thanks",
    ],
    "NAME_ZH": [
        "{Z}今天请假，工作由{Z}代理。",
        "这批货是{Z}签收的。",
        "{Z}把会议纪要发到群里了。",
        "我们小区的{Z}阿姨人很好。",
        "幼儿园通知：{Z}小朋友明天需要带水杯。",
        "售后工单已分配给{Z}跟进。",
        "{Z}，你的快递到了，在前台。",
        "听说{Z}下个月要调去北京分公司。",
        "本周值日生：{Z}",
        "{Z}提交的报销单被退回了。",
    ],
    "PHONE": ["My cell is {U}, text first.", "客服热线之外的私人电话：{M}", "Tel.: {T}", "新座机{L}"],
    "EMAIL": ["Can you cc {E}?", "请把简历发到{E}"],
    "FORM": ["Guest: {P} / Room 1207 / Phone {T}", "联系人：{Z}｜手机：{M}｜邮箱：{E}"],
    "NEGATIVE": [
        "Meet the Galaxy team in Hall B at {time}.",
        "Chapter 12 of the Harry Potter books is on page {qty}.",
        "方总的方案已经通过。",
        "明天的会议改在三楼。",
        "Price drop: the Pixel {qty} is now ${price}.",
        "高新区的新店{date}开业。",
        "Please restart the Windows Update service.",
        "路由器的默认密码在背面。",
    ],
}
ORIGINS = ("english", "latin", "indian", "arabic", "east_asian", "pinyin", "vietnamese")
COMPANIES = [
    "Northwind Traders",
    "Contoso Ltd",
    "Globex",
    "Initech",
    "Acme Logistics",
    "Blue Harbor Bank",
    "Summit Health",
]
DOMAINS = [
    "fastmail.com",
    "proton.me",
    "hotmail.com",
    "icloud.com",
    "example.net",
    "contoso.com",
    "126.com",
    "yeah.net",
    "univ.edu",
]
ID_REGIONS = ("330102", "350203", "370102", "410105", "430104", "500103", "610113", "120101", "210102", "230103")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
TYPE_OF = {"P": "PERSON", "F": "PERSON", "Z": "PERSON", "E": "EMAIL", "T": "PHONE", "U": "PHONE", "M": "PHONE"}
TYPE_OF |= {"L": "PHONE", "I": "IP", "W": "URL", "C": "CARD", "D": "CN_ID", "X": "PASSPORT"}
_SLOT = re.compile(r"\{(\w+)\}")


def half(items: list | tuple | str, split: str) -> list:
    """The dev (even positions) or test (odd positions) half of `items`; all of them for 'final'."""
    items = (items.split() if " " in items else list(items)) if isinstance(items, str) else list(items)
    return items if split == "final" else items[0 if split == "dev" else 1 :: 2]


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def luhn_complete(body: str) -> str:
    """`body` plus the digit that makes it pass Luhn."""
    total = sum(sum(divmod(int(d) * (2 if i % 2 == 0 else 1), 10)) for i, d in enumerate(reversed(body)))
    return body + str(-total % 10)


class Values:
    """Draws slot values from one half's name pools."""

    def __init__(self, rng: random.Random, split: str):
        self.rng, self.split = rng, split
        self.given = {o: half(GIVEN[o], split) for o in GIVEN}
        self.family = {o: half(FAMILY[o], split) for o in FAMILY}
        self.viet = [half(VIET_FAMILY, split), VIET_MIDDLE, half(VIET_GIVEN, split)]
        self.zh = (half(ZH_FAMILY, split), half(ZH_GIVEN2, split), half(ZH_GIVEN1, split), half(ZH_COMPOUND, split))
        self.last_person = ("", "")
        if split == "final2":  # names found in no other part
            self.given = {o: FINAL2_NAMES["given"].split() for o in GIVEN}
            self.family = {o: FINAL2_NAMES["family"].split() for o in FAMILY}
            given = FINAL2_NAMES["zh_given"]
            self.zh = (FINAL2_NAMES["zh_family"], [g for g in given if len(g) == 2], [g for g in given if len(g) == 1],
                       ZH_COMPOUND)  # fmt: skip

    def person(self) -> str:
        rng = self.rng
        origin = rng.choice(ORIGINS)
        if origin == "vietnamese":
            family, middle, given = (rng.choice(pool) for pool in self.viet)
            self.last_person = (given, family)
            return f"{family} {middle} {given}"
        given, family = rng.choice(self.given[origin]), rng.choice(self.family[origin])
        self.last_person = (given, family)
        if origin == "pinyin" and rng.random() < 0.5:
            return f"{family} {given}"  # Chinese order
        if origin == "english" and rng.random() < 0.2:
            return f"{given} {rng.choice(string.ascii_uppercase)}. {family}"
        return f"{given} {family}"

    def first(self) -> str:
        origin = self.rng.choice([o for o in ORIGINS if o not in ("vietnamese", "pinyin")])
        return self.rng.choice(self.given[origin])

    def chinese(self) -> str:
        family, given2, given1, compound = self.zh
        surname = self.rng.choice(compound) if self.rng.random() < 0.06 else self.rng.choice(family)
        return surname + (self.rng.choice(given1) if self.rng.random() < 0.3 else self.rng.choice(given2))

    def email(self) -> str:
        rng = self.rng
        given, family = (p.lower().replace("-", "").replace("'", "") for p in self.last_person or ("a", "b"))
        given, family = given or "kim", family or "lee"
        given, family = (p.encode("ascii", "ignore").decode() or "x" for p in (given, family))
        local = rng.choice(
            [
                f"{given}.{family}",
                f"{given[0]}{family}{rng.randint(1, 99)}",
                f"{family}_{given}",
                f"{given}+billing",
                digits(rng, 8),
                f"{given.upper()}.{family.upper()}",
            ]
        )
        return f"{local}@{rng.choice(DOMAINS)}"

    def nanp(self) -> str:
        rng = self.rng
        area = str(rng.randint(2, 9)) + digits(rng, 2)
        while area[1:] == "11":
            area = str(rng.randint(2, 9)) + digits(rng, 2)
        exchange, line = str(rng.randint(2, 9)) + digits(rng, 2), digits(rng, 4)
        return rng.choice([
            f"+1 ({area}) {exchange}-{line}", f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}",
            f"{area}.{exchange}.{line}", f"+1 {area} {exchange} {line}", f"+1-{area}-{exchange}-{line}",
            f"1-{area}-{exchange}-{line}", f"+1{area}{exchange}{line}", f"({area}){exchange}-{line}",
        ])  # fmt: skip

    def cn_mobile(self) -> str:
        rng = self.rng
        number = "1" + rng.choice("3456789") + digits(rng, 9)
        a, b, c = number[:3], number[3:7], number[7:]
        return rng.choice([number, f"{a} {b} {c}", f"{a}-{b}-{c}", f"+86 {a}-{b}-{c}", f"(+86) {number}",
                           f"+86{number}", f"0086 {number}"])  # fmt: skip

    def cn_landline(self) -> str:
        rng = self.rng
        area = rng.choice(["010", "021", "022", "0571", "0755", "0512", "027", "028", "0591"])
        local = str(rng.randint(2, 8)) + digits(rng, 7 if len(area) == 3 else rng.choice([6, 7]))
        cut = len(local) // 2
        return rng.choice([f"{area}-{local}", f"({area}) {local[:cut]} {local[cut:]}", f"{area} {local}",
                           f"+86 {area[1:]} {local[:cut]} {local[cut:]}"])  # fmt: skip

    def phone(self) -> str:
        rng = self.rng
        other = [
            f"+44 7{digits(rng, 3)} {digits(rng, 6)}", f"+91 9{digits(rng, 4)} {digits(rng, 5)}",
            f"+91-9{digits(rng, 4)}-{digits(rng, 5)}", f"+81 90-{digits(rng, 4)}-{digits(rng, 4)}",
            f"+49 30 {digits(rng, 8)}", f"+49 151 {digits(rng, 8)}", f"+52 55 {digits(rng, 4)} {digits(rng, 4)}",
            f"+34 6{digits(rng, 2)} {digits(rng, 3)} {digits(rng, 3)}", f"+971 50 {digits(rng, 3)} {digits(rng, 4)}",
            f"+84 91 {digits(rng, 3)} {digits(rng, 4)}", f"+82 10-{digits(rng, 4)}-{digits(rng, 4)}",
        ]  # fmt: skip
        pick = rng.random()
        if pick < 0.4:
            return self.nanp()
        if pick < 0.6:
            return self.cn_mobile()
        if pick < 0.7:
            return self.cn_landline()
        return rng.choice(other)

    def ip(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.2:
            groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
            return rng.choice(
                [":".join(groups), f"fe80::{groups[1]}:{groups[2]}", f"2001:db8:{groups[3]}::{groups[4]}"]
            )
        return f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"

    def url(self) -> str:
        rng = self.rng
        slug = "-".join(p.lower() for p in self.last_person if p).encode("ascii", "ignore").decode() or "user"
        return rng.choice([
            f"https://www.linkedin.com/in/{slug}-{digits(rng, 4)}",
            f"http://photos.example.net/u/{digits(rng, 5)}/album?id=3", f"www.contoso.com/team/{slug}",
            f"https://drive.example.org/s/{digits(rng, 6)}#view",
            f"https://github.com/{slug.replace('-', '')}", f"https://t.example.cn/{digits(rng, 7)}",
        ])  # fmt: skip

    def card(self) -> str:
        rng = self.rng
        prefix, length = rng.choice([("4", 16), ("53", 16), ("2221", 16), ("37", 15), ("6011", 16), ("35", 16),
                                     ("62", 16), ("62", 19), ("65", 16)])  # fmt: skip
        number = luhn_complete(prefix + digits(rng, length - len(prefix) - 1))
        if length == 15:
            grouped = f"{number[:4]} {number[4:10]} {number[10:]}"
        else:
            grouped = " ".join(number[i : i + 4] for i in range(0, length, 4))
        return rng.choice([number, grouped, grouped.replace(" ", "-")])

    def cn_id(self) -> str:
        rng = self.rng
        birth = f"{rng.randint(1945, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body = rng.choice(ID_REGIONS) + birth + digits(rng, 3)
        return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]

    def passport(self) -> str:
        rng = self.rng
        return rng.choice([
            f"E{digits(rng, 8)}", f"E{rng.choice('ABCDFGH')}{digits(rng, 7)}", f"G{digits(rng, 8)}",
            f"5{digits(rng, 8)}", f"{rng.choice('JKLMNPRSTUVZ')}{digits(rng, 7)}",
            f"T{rng.choice('KRZ')}{digits(rng, 7)}", f"M{digits(rng, 8)}",
        ])  # fmt: skip

    def filler(self, name: str) -> str:
        rng = self.rng
        fills = {
            "tid": lambda: str(rng.randint(1000, 99999)),
            "tid2": lambda: str(rng.randint(1000, 99999)),
            "acct": lambda: f"AC-{digits(rng, 6)}",
            "price": lambda: f"{rng.randint(5, 2999)}.{digits(rng, 2)}",
            "ver": lambda: f"{rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 40)}",
            "build": lambda: f"{rng.randint(1000, 99999)}",
            "company": lambda: rng.choice(COMPANIES),
            "date": lambda: rng.choice(
                [
                    f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2025",
                    f"March {rng.randint(1, 28)}, 2025",
                ]
            ),  # fmt: skip
            "time": lambda: f"{rng.randint(7, 22)}:{rng.choice(['05', '20', '40', '55'])}",
            "order": lambda: rng.choice(
                [f"{digits(rng, 3)}-{digits(rng, 7)}-{digits(rng, 7)}", f"SO{digits(rng, 8)}", f"2025{digits(rng, 10)}"]
            ),  # fmt: skip
            "inv": lambda: digits(rng, rng.choice([6, 8, 10])),
            "sku": lambda: f"{rng.choice('XYZ')}{digits(rng, 3)}-{digits(rng, 4)}",
            "qty": lambda: str(rng.randint(1, 500)),
            "hexid": lambda: "".join(rng.choice("0123456789abcdef") for _ in range(8)),
            "big": lambda: f"{rng.randint(1, 99)},{digits(rng, 3)},{digits(rng, 3)}",
            "track": lambda: f"1Z{digits(rng, 6)}{rng.choice('ABCDEF')}{digits(rng, 9)}",
            "digits13": lambda: digits(rng, 13),
        }
        return fills[name]()

    def slot(self, name: str) -> str:
        makers = {"P": self.person, "F": self.first, "Z": self.chinese, "E": self.email, "T": self.phone,
                  "U": self.nanp, "M": self.cn_mobile, "L": self.cn_landline, "I": self.ip, "W": self.url,
                  "C": self.card, "D": self.cn_id, "X": self.passport}  # fmt: skip
        return makers[name]() if name in makers else self.filler(name)


def fill(template: str, values: Values) -> tuple[str, list[dict]]:
    """`template` with its slots filled left to right, and the labelled spans of the PII slots."""
    text, spans, cut = "", [], 0
    for match in _SLOT.finditer(template):
        text += template[cut : match.start()]
        value = values.slot(match.group(1))
        if match.group(1) in TYPE_OF:
            spans.append({"type": TYPE_OF[match.group(1)], "start": len(text), "end": len(text) + len(value),
                          "text": value})  # fmt: skip
        text += value
        cut = match.end()
    return text + template[cut:], spans


def make_split(split: str, repeats: int = 4) -> list[dict]:
    """One half: each of its templates filled `repeats` times (names, forms, negatives twice, structured 3 times)."""
    rng = random.Random(f"pii-independent-{split}")
    values = Values(rng, split)
    groups = [("NAME_EN", NAMES_EN, 2), ("NAME_MIXED", NAMES_MIXED, 2), ("NAME_ZH", NAMES_ZH, 2),
              *((kind, templates, 3) for kind, templates in STRUCTURED.items()), ("FORM", FORMS, 2),
              ("NEGATIVE", NEGATIVES, 2)]  # fmt: skip
    rows = []
    if split in ("final", "final2"):
        parts = FINAL if split == "final" else FINAL2
        groups = [(kind, templates, 6 if kind.startswith("NAME") else 4) for kind, templates in parts.items()]
    for kind, templates, weight in groups:
        for template in templates if split.startswith("final") else half(templates, split):
            for _ in range(repeats * weight):
                values.last_person = ("", "")
                if "{E}" in template or "{W}" in template:
                    values.person()  # e-mails and URLs read like someone's name
                text, spans = fill(template, values)
                lang = "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"
                rows.append({"split": split, "kind": kind, "lang": lang, "text": text, "spans": spans})
    return rows


def make_set(split: str = "test") -> list[dict]:
    """The dev or test half, both ('all'), or the final check ('final')."""
    return make_split("dev") + make_split("test") if split == "all" else make_split(split)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "final", "final2", "all"), default="test")
    parser.add_argument("--out", default="pii_independent.jsonl")
    args = parser.parse_args()
    rows = make_set(args.split)
    with open(args.out, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    print(f"{len(rows):,} texts, {sum(len(r['spans']) for r in rows):,} labelled spans → {args.out}")


if __name__ == "__main__":
    main()
