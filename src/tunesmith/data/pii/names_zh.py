"""Chinese person names in Chinese text: a common surname plus one or two given-name characters, next to a cue.

English NER models do not read Chinese, and a surname list alone would flag half of every text (王, 张, 高, 明 …
are also ordinary words), so a name counts only beside a cue: after words such as 我叫 / 姓名 / 联系人 / 收件人
(with further names listed after it, joined by 、 or 和), or before a title such as 先生 / 女士 / 经理 at the start
of a clause. The given name is one or two characters and must end where the text plainly moves on (punctuation, a
Latin letter or digit, the end, or a word like 电话 / 的 / 先生), so "联系人张伟电话…" yields 张伟. A surname with
only a title ("王先生") is not flagged: it names nobody in particular. Names with no cue ("张伟明天来") are missed.

Three more contexts, from text we did not write (bench/pii_independent.py): after a verb that hands something to
someone or a role noun (发给 / 转交 / 抄送 / 投诉人 / 经理 …), where the name is the surname and one more character if
the text plainly moves on after it, else two ("请把合同发给王建国", "已经通知谭浩宇了"); after a weak cue
(和 / 让 / 由 / 下午 …) only when an action word follows ("和龙磊约了", "由王伟负责"), since "质量和安全" must
stay; and a surname-led run of two to four Chinese characters standing alone among Latin words ("Please ask 王建国
to sign", "cc 彭国栋:", "胡永明的快递 has been delayed"), unless it ends like a place (州 / 省 / 市 …). Common words
that begin with a surname character (明天, 金额, 高速 …) are never a name's start. Without any cue, a surname and
one or two characters common in given names that open a clause and are followed by what follows a subject (今天 /
已经 / 负责 / 把 / 的 …) count too ("郝斌负责测试", "秦秀兰在群里说").

From bench/pii_blind2.py: a roster of three or more surname-led names joined by 、，和及 is all names ("赵梓涵，苏静，
姜明及欧阳小雨四位同学"), as are two joined by 和 before 负责 / 一起 / 跟进, an @mention ("@罗梓萱 你…"), and two
given-name characters as a chat address or before 说的 ("娜娜姐，…", "主播，佳琪说的").
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer

# About 250 common single-character surnames (the large majority of people in China), and common compound ones.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞"
    "颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇"
    "栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "傅萧阎赖洪郁谈丘"  # variant forms of 付 / 肖 / 闫 (both are in use), and common ones the list lacked
    "厍訾亓宓蒯冼阚仉逄郗笪蔺晁郜佴昝綦芮羿储钭隗揭"  # rarer ones of the Hundred Family Surnames, rarely words
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "尉迟",
    "公孙",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "端木",
    "南宫",
    "百里",
    "呼延",
    "万俟",
    "闻人",
    "澹台",
    "公冶",
    "宗政",
    "濮阳",
    "太叔",
    "申屠",
    "轩辕",
    "钟离",
    "闾丘",
    "西门",
    "独孤",
)

CUES_BEFORE = (
    "我叫|我是|叫做|名叫|姓名|名字|本人|联系人|收件人|收货人|寄件人|签收人|申请人|持卡人|负责人|经办人|开户名|户名|"
    "参会人|人员|名单|成员|作者|患者|客户|用户|员工|学生|乘客|房主|业主|法人|代表|同事|朋友|家属|配偶|父亲|母亲|丈夫|妻子|署名|签名|致|"
    "尊敬的|亲爱的|感谢|谢谢|转告|通知|找|问|甲方|乙方|出租方|承租方|被询问人|询问人|同住人|专员|运维|认识"
)
TITLES = "先生|女士|小姐|老师|经理|医生|律师|教授|同学|主任|总监|师傅|阿姨|大夫|护士|工程师"
FOLLOWERS = (
    TITLES
    + "|电话|手机|邮箱|微信|地址|身份证|护照|账号|卡号|的|是|在|和|与|及|跟|说|今年|现年|住|来自|已|于|负责|打|给"
    "|发|想|要|会|也|都|就|将|先|请|您|你|他|她|我|同志|这边|那边|收|签|办|联系|提|反馈|表示|称|现在|目前|刚|昨天|今天|明天"
    "|了|吧|呢|吗|啊|约|处理|确认|介绍|来|去|回|把|被|商量|讨论|沟通|开会|审批|批准|同意|带|拿|取|交|寄|上午|下午|晚上"
)
# hand something to someone, or name a role: the next surname-led word is a person
STRONG_CUES = (
    "发给|交给|寄给|转给|送给|递给|带给|传给|打电话给|回电话给|汇给|转交|抄送|告诉|提醒|通知|拜访|"
    "下单人|订购人|投诉人|举报人|乘车人|旅客|介绍人|担保人|监护人|被保险人|投保人|收款人|付款人|预约人|报名人|"
    "经理|主管|组长|总监|老板|助理|秘书|司机|快递员|店长|医生|护士|律师|会计|老师|教授|值班人员"
)
WEAK_CUES = "和|跟|与|同|让|叫|请|由|是|陪|帮|替|给|向|对|等|刚才|刚刚|今天|昨天|上午|下午|晚上|早上|中午"
ACTIONS = (
    "约|说|一起|见面|联系|负责|处理|确认|签字|签|明天|今天|昨天|上午|下午|晚上|来|去|回|把|已|已经|介绍|商量|讨论|沟通|"
    "开会"
)
PLACE_ENDS = "州省市区县镇村乡路街都京"
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"
# common words that begin with a surname character: never the start of a name
NOT_NAMES = (
    "明天|明年|明白|明确|时间|时候|金额|金融|高速|高铁|高兴|周末|周一|周二|周三|周四|周五|周六|周日|马上|文件|方案|安全|"
    "常见|常用|成本|成功|成都|于是|关于|白天|黄金|江苏|江西|温度|程序|向您|包裹|包括|路由|石油|钱包|任何|任务|平安|全部|全体|"
    "谢谢|感谢|高温|高峰|高考|高级|万一|方面|方便|方式|应该|应用|连续|车辆|管理|费用|简单|司机|师傅|和平|和谐|宁愿|项目|齐全|史上|严重|毛病|龙头|孔子|"
    "麻烦|许多|许可|余额|余下|安排|安装|程度|高度|方法|方向|黄色|白色|江湖|毛巾|雷达|华为|林业|章节|夏天|丁点|易于|于今|"
    "付款|付费|孙子|申请|申报|邮件|邮箱|常规|顾客|顾问|包装|杨梅|梅花|宋体|时刻|康复|贺卡|卫生|卢布|苏打|施工|容易|柏油"
)
_SURNAME = "(?!" + NOT_NAMES + ")(?:" + "|".join(COMPOUND_SURNAMES) + f"|[{SURNAMES}])"
_END = rf"(?=[^\u3400-\u4dbf\u4e00-\u9fff]|$|{FOLLOWERS})"
_NOTE = r"(?:（[^）\n]{1,8}）|\([^)\n]{1,8}\))?"  # a short note after a listed name: 钟丽娟（白班）、
_LISTED = rf"(?:{_SURNAME}(?:(?![了的呢吗吧啊])[\u3400-\u4dbf\u4e00-\u9fff]){{1,2}}{_NOTE}[、，,和与及])*"
AFTER_CUE = rf"(?<=(?:{CUES_BEFORE})[:：\s]{{0,2}}{_LISTED}){_SURNAME}{_HAN}{{1,2}}?{_END}"
BEFORE_TITLE = rf"(?<!{_HAN}){_SURNAME}{_HAN}{{1,2}}?(?=\s?(?:{TITLES}))"
AFTER_STRONG_CUE = (
    rf"(?<=(?:{STRONG_CUES})[:：\s]{{0,2}}{_LISTED}){_SURNAME}(?!{TITLES}|总)(?:{_HAN}{_END}|{_HAN}{{2}})"
)
AFTER_WEAK_CUE = rf"(?<=(?:{WEAK_CUES})){_SURNAME}{_HAN}{{1,2}}?(?=(?:{ACTIONS}))"
_ALONE = rf"(?<!{_HAN}){_SURNAME}{_HAN}{{0,1}}[^\s{PLACE_ENDS}\x00-\u2fff\u3000-\u33ff\uff00-\uffff](?!{_HAN})"
_GAP = r"[^\u3000-\u303f\u3400-\u9fff\uff00-\uffef\n0-9]{0,16}"  # to a Latin word: no Chinese, digits or line break
AMONG_LATIN = rf"(?:(?<=[A-Za-z]{{2}}{_GAP}){_ALONE}|{_ALONE}(?![:：])(?={_GAP}[A-Za-z]{{2}}))"
# Characters common in given names (the few hundred that most given names are made of): a surname followed by one
# or two of them, opening a clause and followed by what follows a sentence's subject, is a name without any cue
# ("郝斌负责测试", "新员工任志强下周一入职" is left to cues, "黄金的价格" is not: 金 is no given-name character here).
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华玉萍红鹏飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国亮成辉志峰晨婷玲琳"
    "颖倩雪梅慧佳嘉怡欣悦雨萱涵诗思琪子梓轩博文一诺晓东海燕宏立新春花德永栋珍家豪丹洁翔凤云莉美淑惠珠翠雅芝荣爱香月媛"
    "瑞凡佩婉彤瑶娇琴素秋菊芬兵毅保力世广义兴良山仁贵福生元全胜学祥才武利清彬富顺信昌康星光达安岩中茂进有坚彪诚先敬"
    "震振会群心邦承乐绍功松善厚庆民友裕哲江政谦奇翰朗伯言若鸣朋梁维启克伦泽辰士致树炎行泰盛雄琛钧冠策腾楠榕风航弘"
    "宸睿铭熙逸然皓晗琦妍桐萌曦芸菲璐露蕾薇岚茜姗娅婧妮苗蓉紫贝馨舒可依奕昊锦淼鸿霖彦琼"
)
_GIVEN = f"[{GIVEN_CHARS}]"
SUBJECT_NEXT = (
    "今天|明天|昨天|上午|下午|晚上|下个月|下周|上周|本周|已经|已|把|被|在|正在|说|将|要|会|也|都|还|刚|去|来|提交|负责|介绍|"
    "请假|签收|跟进|代理|表示|认为|觉得|发现|打算|准备|希望|同意|不|没|的|和|跟|与|给|让|向|对|从|是"
)
_CLAUSE = (  # a clause's start: after punctuation, or after a time word or conjunction opening it
    r"(?:^|(?<=[\s，。！？；：:、,.!?;（(「“\"'】\]]|今天|昨天|明天|昨晚|今晚|今早|上午|下午|晚上|早上|刚才|刚刚|后来|然后"
    r"|但是|所以|因为|如果))"
)
SUBJECT = rf"{_CLAUSE}{_SURNAME}{_GIVEN}{{1,2}}?(?=(?:{SUBJECT_NEXT})|[，,]\s*(?:你|您))"
BEFORE_DE_AMONG_LATIN = (
    rf"(?<=(?:^|[A-Za-z,:;\s])){_SURNAME}{_HAN}{{1,2}}?(?<![{PLACE_ENDS}])(?=的{_HAN}{{0,4}}\s*[A-Za-z])"
)


# a roster: three or more surname-led names joined by 、，, 和 and 及, the last before a count or the end of the list
# ("赵梓涵，苏静，姜明及欧阳小雨四位同学", "名单：阚秀英、贺永福、周建国、亓明"); each name ends at the joiner
_ITEM = rf"{_SURNAME}(?:(?![和及与总的了是在]){_HAN}){{1,2}}"
ROSTER = rf"(?<!{_HAN}){_ITEM}(?=(?:[、，,]\s*|\s*[和及与]\s*){_ITEM}(?:[、，,]\s*|\s*[和及与]\s*){_ITEM})"
ROSTER_MIDDLE = rf"(?<=(?<!{_HAN}){_ITEM}(?:[、，,]\s*|\s*[和及与]\s*)){_ITEM}(?=(?:[、，,]\s*|\s*[和及与]\s*){_ITEM})"
ROSTER_LAST = (
    rf"(?<=(?<!{_HAN}){_ITEM}(?:[、，,]\s*|\s*[和及与]\s*){_ITEM}(?:[、，,]\s*|\s*[和及与]\s*)){_ITEM}"
    rf"(?=[。；;，,、\s]|$|[一二三四五六七八九两\d]+(?:位|名|个|人)|的|负责|同学|老师)"
)
# a given name alone (two given-name characters) as a chat address or the subject of 说的: "娜娜姐，…", "主播，佳琪说的"
# an @mention in Chinese chat ("@罗梓萱 你昨天说的…"), and two names joined by 和 / 与 / 、 before who does what
MENTION = rf"(?<=@){_SURNAME}{_HAN}{{1,2}}?(?=[\s，,：:]|$)"
PAIR = (
    rf"(?:(?<!{_HAN}|@)|(?<=由|让|请|叫|是|派|安排))(?:{_ITEM})(?=\s*[和与、及]\s*{_ITEM}\s*(?:负责|一起|共同|代为|主持|跟进))"
    rf"|(?<=(?<!{_HAN}){_ITEM}\s*[和与、及]\s*){_ITEM}(?=\s*(?:负责|一起|共同|代为|主持|跟进))"
)
VOCATIVE = rf"(?<=^|\n|[：:，,]\s?){_GIVEN}{{2}}(?=[姐哥][，,!！]|说的)"


def chinese_name_recognizer() -> PatternRecognizer:
    """PERSON in Chinese text: a surname and one or two more characters after a cue word or before a title, or
    standing alone among Latin words."""
    patterns = [
        Pattern("zh name after cue", AFTER_CUE, 0.6),
        Pattern("zh name before title", BEFORE_TITLE, 0.6),
        Pattern("zh name after a strong cue", AFTER_STRONG_CUE, 0.6),
        Pattern("zh name after a weak cue, before an action", AFTER_WEAK_CUE, 0.5),
        Pattern("zh name among Latin words", AMONG_LATIN, 0.5),
        Pattern("zh name + 的 among Latin words", BEFORE_DE_AMONG_LATIN, 0.5),
        Pattern("zh name opening a clause, given-name characters", SUBJECT, 0.4),
        Pattern("zh roster, first", ROSTER, 0.5),
        Pattern("zh roster, middle", ROSTER_MIDDLE, 0.5),
        Pattern("zh roster, last", ROSTER_LAST, 0.5),
        Pattern("zh given name as address", VOCATIVE, 0.5),
        Pattern("zh @mention", MENTION, 0.5),
        Pattern("zh pair before a task", PAIR, 0.5),
    ]
    return PatternRecognizer(
        "PERSON", name="ChineseNameRecognizer", patterns=patterns, global_regex_flags=re.DOTALL | re.MULTILINE
    )
