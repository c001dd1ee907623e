"""Chinese person names in Chinese text: a common surname plus one or two given-name characters, next to a cue.

English NER models do not read Chinese, and a surname list alone would flag half of every text (王, 张, 高, 明 …
are also ordinary words), so a name counts only beside a cue: after words such as 我叫 / 姓名 / 联系人 / 收件人
(with further names listed after it, joined by 、 or 和), or before a title such as 先生 / 女士 / 经理 at the start
of a clause. The given name is one or two characters and must end where the text plainly moves on (punctuation, a
Latin letter or digit, the end, or a word like 电话 / 的 / 先生), so "联系人张伟电话…" yields 张伟. A surname with
only a title ("王先生") is not flagged: it names nobody in particular. Names with no cue ("张伟明天来") are missed.
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
)

CUES_BEFORE = (
    "我叫|我是|叫做|名叫|姓名|名字|本人|联系人|收件人|收货人|寄件人|签收人|申请人|持卡人|负责人|经办人|开户名|户名|"
    "参会人|人员|名单|成员|作者|患者|客户|用户|员工|学生|乘客|房主|业主|法人|代表|同事|朋友|家属|配偶|父亲|母亲|丈夫|妻子|署名|签名|致|"
    "尊敬的|亲爱的|感谢|谢谢|转告|通知|找|问"
)
TITLES = "先生|女士|小姐|老师|经理|医生|律师|教授|同学|主任|总监|师傅|阿姨|大夫|护士|工程师"
FOLLOWERS = (
    TITLES
    + "|电话|手机|邮箱|微信|地址|身份证|护照|账号|卡号|的|是|在|和|与|及|跟|说|今年|现年|住|来自|已|于|负责|打|给"
    "|发|想|要|会|也|都|就|将|先|请|您|你|他|她|我|同志|这边|那边|收|签|办|联系|提|反馈|表示|称|现在|目前|刚|昨天|今天|明天"
)
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"
_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + f"|[{SURNAMES}])"
_END = rf"(?=[^\u3400-\u4dbf\u4e00-\u9fff]|$|{FOLLOWERS})"
_LISTED = rf"(?:{_SURNAME}{_HAN}{{1,2}}[、，,和与及])*"
AFTER_CUE = rf"(?<=(?:{CUES_BEFORE})[:：\s]{{0,2}}{_LISTED}){_SURNAME}{_HAN}{{1,2}}?{_END}"
BEFORE_TITLE = rf"(?<!{_HAN}){_SURNAME}{_HAN}{{1,2}}?(?=\s?(?:{TITLES}))"


def chinese_name_recognizer() -> PatternRecognizer:
    """PERSON in Chinese text: a surname and one or two more characters after a cue word or before a title."""
    patterns = [
        Pattern("zh name after cue", AFTER_CUE, 0.6),
        Pattern("zh name before title", BEFORE_TITLE, 0.6),
    ]
    return PatternRecognizer(
        "PERSON", name="ChineseNameRecognizer", patterns=patterns, global_regex_flags=re.DOTALL | re.MULTILINE
    )
