"""Blind PII evaluation set no. 2 ("blind2").

How it was written
------------------
Written by hand by a second helper who had not read the recognizers (``src/tunesmith/data/pii/``,
``src/tunesmith/data/ops/pii.py``) or the other evaluation sets (``bench/pii_data.py``, ``bench/pii_independent.py``,
``bench/pii_blind.py``) and who did not run the recognizers while writing it. Every template, name pool and
look-alike below was typed from scratch, deliberately in genres other than support tickets and plain e-mails:
booking confirmations, insurance claims, bank disputes, incident reports, property listings, admissions letters, CVs,
recruitment messages, dating profiles, show notes, newspaper quotes, attendee lists, invitations, notices of death,
tenant messages, gaming chats, signed reviews, prescriptions, tax forms, receipts, Chinese contracts, claims, job ads,
CVs, medical records, police notes, invitations, residents' group chats, class lists, live-stream comments,
delivery notes, and English-Chinese code-switched chat.

Format
------
``make_set(seed=11)`` returns a list of dicts::

    {"split": "blind2", "kind": str, "lang": "en" | "zh" | "mixed", "text": str,
     "spans": [{"type": str, "start": int, "end": int, "text": str}, ...]}

Offsets are Python ``str`` character offsets; ``text[start:end] == span["text"]`` is asserted for every span, and spans
are sorted and non-overlapping. Kinds starting with ``negative_`` contain no PII at all, only hard look-alikes.

Types: PERSON, EMAIL, PHONE, IP (v4 and some v6), URL, CARD (16 digits, Luhn-valid; plain, spaced or dashed), CN_ID
(18-character resident ID with a valid GB 11643 check character), PASSPORT (always next to the word passport/护照;
Chinese E/G + 8 digits or E + letter + 7 digits, US/UK 9 digits).

Labelling rules
---------------
* PERSON is the name only: no titles (Mr., Dr., Prof., Sgt., 先生, 女士, 老师, 经理), no possessive ``'s``, no ages or
  roles in brackets. Surname-only references after a title ("Dr. Nakamura") label the surname. A lone given name
  that refers to a person ("Thanks, Priyanka!") is labelled. "Last, First" is one span including the comma.
  Initials forms ("J. R. Okonkwo") are one span. Usernames/handles are never labelled, even when they echo the name;
  only the real name next to them is.
* Structured values are labelled whole: phones including ``+country`` and brackets, URLs without trailing sentence
  punctuation, cards with their separators, passports without the word "passport".
* Not labelled: street names, companies and brands that contain surnames, fictional characters, reference/booking/
  invoice numbers, dates, money, versions, ISBNs, partial card numbers, numbers that fail Luhn or the ID check.

Run ``python bench/pii_blind2.py`` for counts, or ``--out FILE.jsonl`` to write the set.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import unicodedata

# ---------------------------------------------------------------------------------------------------------------------
# Name pools: "Given/Family" per entry. FAMILY_FIRST origins are written family name first.

NAME_POOLS = {
    "english": "Oliver/Bennett, Harriet/Cole, George/Whitfield, Imogen/Price, Callum/Fletcher, Beatrice/Lowe",
    "scottish": "Fraser/MacLeod, Ailsa/Campbell, Hamish/Drummond, Morag/Ferguson, Euan/McIntyre",
    "welsh": "Rhys/Llewellyn, Ffion/Pritchard, Dafydd/Howells, Cerys/Bowen, Gethin/Parry",
    "irish": "Siobhán/O'Sullivan, Ciarán/Ó Briain, Aoife/Kavanagh, Niamh/Donnelly, Oisín/Fitzgerald",
    "dutch": "Maarten/de Vries, Femke/van der Berg, Joost/Bakker, Sanne/Visser, Daan/van Dijk",
    "scandinavian": "Astrid/Lindqvist, Magnus/Halvorsen, Sigrid/Nilsen, Henrik/Sørensen, Freja/Dahl, Linnea/Bergström",
    "finnish": "Aino/Virtanen, Juha/Mäkinen, Tuuli/Korhonen, Eero/Laaksonen",
    "hungarian": "Zsófia/Kovács, Bence/Szabó, Réka/Tóth, László/Horváth",
    "czech": "Tereza/Dvořáková, Jiří/Novák, Kateřina/Svobodová, Ondřej/Procházka",
    "polish": "Tomasz/Wiśniewski, Agnieszka/Kowalczyk, Krzysztof/Zieliński",
    "romanian": "Ioana/Popescu, Andrei/Ionescu, Mihaela/Dumitrescu, Radu/Constantinescu",
    "italian": "Giulia/Bianchi, Lorenzo/Esposito, Chiara/Romano, Matteo/Greco, Francesca/Colombo",
    "spanish": "Lucía/Fernández, Javier/Morales, Carmen/Ruiz Ortega, Tomás/Ortega",
    "catalan": "Jordi/Vilaseca, Montserrat/Puig, Núria/Casals, Pau/Ferrer",
    "portuguese": "João/Carvalho, Inês/Sousa, Rui/Figueiredo, Leonor/Matos",
    "brazilian": "Thiago/Nascimento, Larissa/Gonçalves, Caio/Barbosa, Juliana/Cavalcanti",
    "mexican": "Guadalupe/Hernández, Alejandro/Villaseñor, Ximena/Castañeda, Itzel/Ramírez",
    "filipino": "Maricel/Dela Cruz, Rodel/Bautista, Jhoanna/Macaraeg, Paolo/Villanueva",
    "indonesian": "Putri/Lestari, Agus/Santoso, Dewi/Kurniawati, Bayu/Pratama",
    "malay": "Aiman/Hakimi, Farah/Zulkifli, Hafiz/Rahman, Nurul/Izzati",
    "thai": "Somchai/Wongsakul, Pimchanok/Srisuk, Anong/Chaiyaporn, Kittisak/Boonmee",
    "burmese": "Thandar/Hlaing, Kyaw/Zin Htet, Aye/Chan Moe, Min/Thu Aung",
    "nepali": "Sushma/Adhikari, Bishnu/Gurung, Pasang/Sherpa, Ramesh/Thapa",
    "sinhala": "Dilani/Wickramasinghe, Chaminda/Perera, Nadeesha/Jayawardena, Kasun/Bandara",
    "tamil": "Kavitha/Subramaniam, Arun/Krishnan, Meenakshi/Raghavan, Senthil/Murugan",
    "telugu": "Srinivas/Reddy, Lakshmi/Naidu, Venkatesh/Chowdary, Harika/Rao",
    "bengali": "Anindita/Chatterjee, Tanvir/Hossain, Rumana/Akter, Sayan/Mukherjee",
    "punjabi": "Harpreet/Kaur, Gurpreet/Singh Sandhu, Jaspreet/Dhillon, Manveer/Grewal",
    "pakistani": "Ayesha/Siddiqui, Imran/Qureshi, Zainab/Malik, Usman/Chaudhry",
    "afghan": "Farid/Ahmadzai, Mariam/Popal, Zarghona/Stanekzai, Wais/Karimi",
    "persian": "Shirin/Tehrani, Dariush/Farahani, Nasrin/Moradi, Kaveh/Jafari",
    "kurdish": "Rêber/Zebari, Hêvî/Mustafa, Berivan/Doğan, Dilan/Barzinji",
    "turkish": "Elif/Yıldırım, Burak/Şahin, Zeynep/Öztürk, Emre/Aksoy",
    "armenian": "Anahit/Petrosyan, Tigran/Hakobyan, Lusine/Grigoryan, Aram/Sargsyan",
    "georgian": "Nino/Beridze, Giorgi/Kapanadze, Tamar/Gelashvili, Levan/Tsiklauri",
    "russian": "Yekaterina/Morozova, Dmitri/Volkov, Anastasia/Sokolova, Pavel/Lebedev",
    "ukrainian": "Oksana/Shevchuk, Taras/Bondarenko, Iryna/Kovalenko, Bohdan/Melnyk",
    "gulf_arabic": "Khalid/Al Mansoori, Noura/Al Suwaidi, Hamad/Al Marri, Maitha/Al Falasi",
    "levantine": "Rami/Haddad, Lina/Khoury, Ziad/Nassar, Rana/Saleh",
    "maghreb": "Youssef/Benali, Amina/Bouzid, Karim/El Idrissi, Salma/Belkacem",
    "hebrew": "Noa/Ben-David, Yonatan/Levi, Shira/Mizrahi, Eitan/Friedman",
    "amharic": "Selamawit/Tesfaye, Dawit/Bekele, Hiwot/Alemu, Yonas/Girma",
    "somali": "Hodan/Warsame, Abdirahman/Farah, Ifrah/Mohamed, Liban/Jama",
    "swahili": "Neema/Mwangi, Baraka/Otieno, Zawadi/Wanjiru, Juma/Mwakasege",
    "yoruba": "Adebayo/Ogunleye, Folake/Adeyemi, Tunde/Bakare, Yetunde/Olawale",
    "igbo": "Chinedu/Okonkwo, Ngozi/Eze, Obinna/Nwosu, Adaeze/Okafor",
    "hausa": "Aminu/Bello, Hauwa/Abubakar, Sani/Danjuma, Zainab/Garba",
    "zulu": "Thandiwe/Dlamini, Sipho/Ndlovu, Nomvula/Mkhize, Bongani/Zulu",
    "maori": "Aroha/Ngata, Wiremu/Tipene, Mere/Parata, Tama/Whaanga",
    "samoan": "Sina/Tuilagi, Losa/Fa'alogo, Malia/Leota, Ioane/Sapolu",
    "japanese": "Haruka/Nakamura, Kenji/Watanabe, Yui/Takahashi, Daisuke/Matsumoto, Emi/Fujiwara",
    "korean": "Min-jun/Kim, Seo-yeon/Park, Ji-hoon/Choi, Ha-eun/Jeong, Dong-hyun/Han",
    "vietnamese": "Lan/Nguyễn Thị, Minh/Trần Văn, Huy/Phạm Quang, Hà/Lê Thu, Khoa/Đặng Minh",
    "chinese_pinyin": "Wei/Zhang, Xiaoling/Chen, Jianguo/Liu, Yutong/Huang, Haoran/Zhou",
}
FAMILY_FIRST = {"korean", "vietnamese", "chinese_pinyin"}
POOLS = {
    origin: [tuple(part.strip().split("/")) for part in entries.split(",")] for origin, entries in NAME_POOLS.items()
}
ORIGINS = sorted(POOLS)

CANTONESE = ["Chan Tai Man", "Wong Siu Ming", "Leung Ka Yan", "Cheung Wai Kit", "Lau Mei Ling", "Ho Chi Wing",
             "Tsang Yuk Lan", "Ng Ka Lok", "Kwok Hoi Yan", "Yip Chun Kit"]  # fmt: skip
ENGLISH_GIVEN = ["Kevin", "Amy", "Jason", "Grace", "Tony", "Vivian", "Eric", "Sandy", "Leo", "Iris", "Frank", "Cindy",
                 "Allen", "Monica", "Derek", "Phoebe"]  # fmt: skip

ZH_SURNAMES_COMMON = list(
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常"
)
ZH_SURNAMES_RARE = list("仇佘晏阚厍亓訾逄蒯祁佟滕栾宓缪詹靳甘农冼")
ZH_SURNAMES_COMPOUND = [
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "皇甫",
    "令狐",
    "东方",
    "慕容",
    "尉迟",
    "长孙",
    "端木",
    "公孙",
    "夏侯",
]
ZH_GIVEN_1 = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚悦彤琳")
ZH_GIVEN_2 = [
    "秀英",
    "桂英",
    "子轩",
    "梓涵",
    "浩然",
    "一诺",
    "欣怡",
    "雨桐",
    "思远",
    "俊杰",
    "婉清",
    "嘉怡",
    "宇航",
    "晓东",
    "建国",
    "海燕",
    "春梅",
    "志强",
    "丽华",
    "文博",
    "娜娜",
    "若曦",
    "天佑",
    "佳琪",
    "明轩",
    "诗雨",
    "可馨",
    "泽宇",
    "昊天",
    "梦瑶",
    "晨曦",
    "翠花",
    "永福",
    "国庆",
    "小雨",
    "家豪",
]
PINYIN_HANDLES = ["zhangwei", "lixiaoyu", "chenjing88", "wanghao_", "liuyang1990", "zhaolei", "xiaomei.huang", "sunyue",
                  "ouyang.nn", "maqiang", "linfang77", "yewen_bj"]  # fmt: skip

# ---------------------------------------------------------------------------------------------------------------------
# Fillers that are never labelled.

COMPANIES = ["Northwind Freight", "Bluefin Travel", "Halcyon Analytics", "Greystone Property", "Pioneer Mutual",
             "Cobalt Labs", "Riverbend Foods", "Tallgrass Energy", "Meridian Health", "Quayside Lettings"]  # fmt: skip
CITIES = ["Lisbon", "Auckland", "Nairobi", "Tbilisi", "Montréal", "Kraków", "Cebu", "Accra", "Leeds", "Osaka", "Porto",
          "Bergen", "Chiang Mai", "Yerevan", "Medellín", "Durban"]  # fmt: skip
STREETS = ["Elm Road", "Harbour Street", "Calle Mayor", "Rue des Lilas", "Mill Lane", "Kingfisher Way", "Station Road",
           "Orchard Close"]  # fmt: skip
ZH_STREETS = ["长安街", "滨江大道", "人民路", "解放路", "科技园南路", "望京西路"]
ZH_ADDRS = ["北京市朝阳区望京街道8号院3-502", "上海市徐汇区漕溪北路88弄12号", "深圳市南山区粤海街道科苑路15号",
            "杭州市西湖区文三路259号", "成都市武侯区玉林北路6号2单元", "广州市天河区体育西路103号"]  # fmt: skip
HANDLES = ["xX_shadow_Xx", "nightowl92", "pixel.panda", "@tofu_king", "grumpycat_77", "ByteMe", "lootgoblin", "小鱼干",
           "吃瓜群众", "momo酱", "阿猫不吃鱼", "快乐星球", "zz_top", "frost_byte"]  # fmt: skip
ROLES = ["Data Engineer", "Site Supervisor", "Staff Nurse", "Junior Architect", "Logistics Coordinator", "Sous Chef"]
FLIGHTS = ["BA287", "CA 1831", "LH 400", "QR8", "MU5101", "EK 29", "TK1984", "NZ 103", "ET 302", "CZ3099"]
DOMAINS = ["harbourlight.org", "kestrel-homes.co.uk", "ledgerly.io", "seedvault.net", "quietferry.com",
           "admissions.uni-halden.edu", "pod.lowtidefm.com", "tickets.norda-summit.eu", "zufang-bj.cn",
           "shop.kuaile-live.com", "greystone-property.com.au"]  # fmt: skip
URL_PATHS = ["", "/", "/listing/4471", "/episodes/112", "/accept?id=88213", "/in-memory/donate", "/p/9f3a2c",
             "/house/20931.html", "/item?sku=KL-20&ref=live", "/about", "/gallery/flat-3b"]  # fmt: skip
EMAIL_DOMAINS = [
    "gmail.com",
    "outlook.com",
    "proton.me",
    "yahoo.co.uk",
    "icloud.com",
    "web.de",
    "mail.ru",
    "uol.com.br",
]
ZH_EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "foxmail.com", "sina.com"]


def luhn_check_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def id_check_char(body17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS)) % 11]


class Gen:
    """Random value makers; one instance per set so the whole thing is seeded."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    # --- people ---------------------------------------------------------------------------------------------------
    def latin_person(self, western_only: bool) -> dict:
        while True:
            origin = self.rng.choice(ORIGINS)
            if not (western_only and origin in FAMILY_FIRST):
                break
        given, family = self.rng.choice(POOLS[origin])
        full = f"{family} {given}" if origin in FAMILY_FIRST else f"{given} {family}"
        return {"given": given, "family": family, "full": full}

    def zh_person(self, two_char_given: bool) -> dict:
        r = self.rng.random()
        pool = ZH_SURNAMES_COMMON if r < 0.7 else ZH_SURNAMES_RARE if r < 0.85 else ZH_SURNAMES_COMPOUND
        surname = self.rng.choice(pool)
        given = self.rng.choice(ZH_GIVEN_2 if two_char_given or self.rng.random() < 0.6 else ZH_GIVEN_1)
        return {"given": given, "family": surname, "full": surname + given}

    def initials(self, p: dict) -> str:
        g = p["given"][0]
        form = self.rng.randrange(3)
        mid = self.rng.choice("ABCDEFGHJKLMNRST")
        return [f"{g}. {mid}. {p['family']}", f"{g}. {p['family']}", f"{g}.{mid}. {p['family']}"][form]

    # --- structured -------------------------------------------------------------------------------------------------
    @staticmethod
    def ascii_fold(s: str) -> str:
        s = s.translate(str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ı": "i", "đ": "d", "Đ": "D", "ł": "l"}))
        s = unicodedata.normalize("NFKD", s)
        return "".join(c for c in s if c.isascii() and (c.isalnum() or c in " -")).lower()

    def email(self, p: dict | None = None, zh: bool = False) -> str:
        if p is not None and not zh:
            g = self.ascii_fold(p["given"]).replace(" ", "").replace("-", "")
            f = self.ascii_fold(p["family"]).replace(" ", "").replace("-", "")
            local = self.rng.choice([f"{g}.{f}", f"{g[0]}{f}", f"{g}_{f}{self.rng.randint(1, 99)}", g, f"{f}.{g[0]}"])
        else:
            local = self.rng.choice(PINYIN_HANDLES + ["info", "hr", "claims", "bookings", "hello"])
        if zh:
            domain = self.rng.choice(ZH_EMAIL_DOMAINS)
        elif self.rng.random() < 0.3:
            domain = self.rng.choice(DOMAINS[:6])
        else:
            domain = self.rng.choice(EMAIL_DOMAINS)
        return f"{local}@{domain}"

    def phone_nanp(self) -> str:
        area = self.rng.choice(["212", "415", "617", "303", "512", "604", "416", "012", "199", "111", "098"])
        exch = self.rng.choice(["555", "555", "823", "014", "146", "372"])
        line = self.digits(4)
        fmts = [f"({area}) {exch}-{line}", f"+1 {area} {exch} {line}", f"{area}-{exch}-{line}", f"{area}.{exch}.{line}",
                f"+1-{area}-{exch}-{line}", f"1 ({area}) {exch}-{line}"]  # fmt: skip
        return self.rng.choice(fmts)

    def phone_cn_mobile(self) -> str:
        pre = self.rng.choice(["138", "139", "135", "150", "152", "158", "186", "187", "177", "199", "166", "131"])
        a, b = self.digits(4), self.digits(4)
        return self.rng.choice([f"{pre} {a} {b}", f"{pre}-{a}-{b}", f"+86 {pre}{a}{b}", f"{pre}{a}{b}",
                                f"+86 {pre} {a} {b}", f"+86-{pre}-{a}-{b}", f"(+86) {pre}{a}{b}"])  # fmt: skip

    def phone_cn_land(self) -> str:
        return self.rng.choice([f"010-{self.digits(4)} {self.digits(4)}", f"(0755) {self.digits(4)}-{self.digits(4)}",
                                f"021-{self.digits(8)}", f"0571-{self.digits(4)} {self.digits(4)}",
                                f"+86 10 {self.digits(4)} {self.digits(4)}", f"020-{self.digits(8)}"])  # fmt: skip

    def phone_intl(self) -> str:
        d = self.digits
        opts = [
            f"+44 20 7946 {d(4)}", f"07700 900{d(3)}", f"+44 7700 900 {d(3)}",  # UK
            f"+91 98{d(3)} {d(5)}", f"098{d(3)} {d(5)}", f"+91-22-{d(4)}-{d(4)}",  # India
            f"+55 11 9{d(4)}-{d(4)}", f"(21) 9{d(4)}-{d(4)}",  # Brazil
            f"+234 803 {d(3)} {d(4)}", f"0803 {d(3)} {d(4)}",  # Nigeria
            f"+61 2 9{d(3)} {d(4)}", f"04{d(2)} {d(3)} {d(3)}",  # Australia
            f"+49 30 {d(7)}", f"030 {d(8)}", f"+49 151 {d(8)}",  # Germany
            f"+81 3-{d(4)}-{d(4)}", f"090-{d(4)}-{d(4)}",  # Japan
            f"+82 10-{d(4)}-{d(4)}", f"010-{d(4)}-{d(4)}",  # Korea
            f"+852 9{d(3)} {d(4)}", f"+27 82 {d(3)} {d(4)}", f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}",
        ]  # fmt: skip
        return self.rng.choice(opts)

    def phone_any(self) -> str:
        r = self.rng.random()
        if r < 0.25:
            return self.phone_nanp()
        if r < 0.4:
            return self.phone_cn_mobile()
        return self.phone_intl()

    def ipv4(self) -> str:
        r = self.rng
        if r.random() < 0.2:
            return f"192.168.{r.randint(0, 20)}.{r.randint(2, 254)}"
        first = r.choice([23, 45, 61, 81, 92, 103, 118, 172, 185, 203, 212, 10, 77, 139])
        return f"{first}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def ipv6(self) -> str:
        h = lambda: format(self.rng.randint(1, 0xFFFF), "x")  # noqa: E731
        return self.rng.choice([f"2001:db8:{h()}:{h()}::{h()}", f"2a02:6b8:0:1:{h()}:{h()}:{h()}:{h()}",
                                f"fe80::{h()}:{h()}:{h()}:{h()}", f"2400:cb00:{h()}::{h()}"])  # fmt: skip

    def ip(self) -> str:
        return self.ipv6() if self.rng.random() < 0.15 else self.ipv4()

    def url(self, domain: str | None = None) -> str:
        domain = domain or self.rng.choice(DOMAINS)
        scheme = self.rng.choice(["https://", "https://", "http://", "https://www.", "www."])
        if scheme.endswith("www.") and domain.count(".") > 1 and not domain.endswith((".uk", ".au")):
            scheme = scheme[:-4]
        return scheme + domain + self.rng.choice(URL_PATHS)

    def card(self, valid: bool = True) -> str:
        prefix = self.rng.choice(["4", "4", "51", "53", "55", "6011", "62", "35"])
        body = prefix + self.digits(15 - len(prefix))
        check = luhn_check_digit(body)
        if not valid:
            check = str((int(check) + self.rng.randint(1, 9)) % 10)
        num = body + check
        assert luhn_ok(num) == valid
        groups = [num[i : i + 4] for i in range(0, 16, 4)]
        return self.rng.choice([" ".join(groups), "-".join(groups), num])

    def cn_id(self, valid: bool = True) -> str:
        area = self.rng.choice(["110101", "110105", "310104", "440305", "440106", "510107", "330106", "320102",
                                "420106", "610113", "370202", "210102", "500103", "120101", "350203"])  # fmt: skip
        y = self.rng.randint(1950, 2005)
        body = f"{area}{y}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}{self.digits(3)}"
        check = id_check_char(body)
        if not valid:
            check = self.rng.choice([c for c in "0123456789" if c != check])
        out = body + check
        assert (id_check_char(out[:17]) == out[17]) == valid
        return out

    def passport_cn(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return "E" + self.digits(8)
        if r < 0.7:
            return "G" + self.digits(8)
        return "E" + self.rng.choice("ABCDFGHJKLMNPQRSTUVWXYZ") + self.digits(7)

    def passport_9(self) -> str:
        return self.rng.choice("123456789") + self.digits(8)

    def passport(self) -> str:
        return self.passport_cn() if self.rng.random() < 0.5 else self.passport_9()

    # --- unlabelled fillers -----------------------------------------------------------------------------------------
    def date(self) -> str:
        r = self.rng
        d, m, y = r.randint(1, 28), r.randint(1, 12), r.randint(2019, 2026)
        months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December"]  # fmt: skip
        return r.choice([f"{d} {months[m - 1]} {y}", f"{months[m - 1]} {d}, {y}", f"{y}-{m:02d}-{d:02d}",
                         f"{d:02d}/{m:02d}/{y}", f"{months[m - 1][:3]} {d}"])  # fmt: skip

    def zdate(self) -> str:
        r = self.rng
        return r.choice([f"{r.randint(2019, 2026)}年{r.randint(1, 12)}月{r.randint(1, 28)}日",
                         f"{r.randint(1, 12)}月{r.randint(1, 28)}日"])  # fmt: skip

    def time(self) -> str:
        r = self.rng
        return r.choice([f"{r.randint(6, 22)}:{r.choice(['00', '15', '30', '45'])}", f"{r.randint(1, 11)}:30 am",
                         f"{r.randint(1, 11)} p.m."])  # fmt: skip

    def money(self) -> str:
        r = self.rng
        return r.choice([f"${r.randint(10, 9999):,}.{r.randint(0, 99):02d}", f"€{r.randint(5, 900)}.50",
                         f"£{r.randint(20, 5000):,}", f"USD {r.randint(100, 20000):,}"])  # fmt: skip

    def rmb(self) -> str:
        r = self.rng
        return r.choice(
            [f"{r.randint(800, 9000)}元", f"¥{r.randint(100, 20000):,}.00", f"人民币{r.randint(1, 30)}万元"]
        )

    def ref(self) -> str:
        r = self.rng
        pre = r.choice(["REF", "CLM", "BK", "APP", "RX", "INC", "DON"])
        return r.choice([f"{pre}-{r.randint(2019, 2026)}-{self.digits(6)}", f"{pre}{self.digits(7)}",
                         f"#{r.randint(2019, 2026)}-{self.digits(6)}"])  # fmt: skip

    def ordnum(self) -> str:
        return self.rng.choice([f"#{self.rng.randint(2019, 2026)}-{self.digits(6)}", f"SO-{self.digits(6)}",
                                f"{self.rng.randint(2019, 2026)}{self.digits(10)}"])  # fmt: skip

    def pnr(self) -> str:
        return "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))

    def version(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"{r.randint(1, 12)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
                f"{r.randint(1, 4)}.0.0-rc.{r.randint(1, 5)}",
                f"{r.randint(1, 3)}.{r.randint(0, 9)}",
            ]
        )

    def isbn(self) -> str:
        return f"978-{self.rng.choice(['0', '1', '7', '3'])}-{self.digits(3)}-{self.digits(5)}-{self.digits(1)}"

    def bad_iban(self) -> str:
        return self.rng.choice(
            [
                f"GB00 NWBK {self.digits(4)} {self.digits(4)} {self.digits(4)} {self.digits(2)}",
                f"DE00{self.digits(18)}",
                f"FR00 {self.digits(4)} {self.digits(4)} {self.digits(4)} {self.digits(4)}",
            ]
        )


# Labelled slot keys -> entity type. Digits after a key (P1, G1, E1 ...) tie slots to the same person.
LABELLED = {
    "P": "PERSON", "PF": "PERSON", "PI": "PERSON", "G": "PERSON", "S": "PERSON", "C": "PERSON", "CG": "PERSON",
    "K": "PERSON", "EN": "PERSON",
    "E": "EMAIL", "ZE": "EMAIL",
    "PH": "PHONE", "PHUS": "PHONE", "PHCN": "PHONE", "PHCL": "PHONE", "PHX": "PHONE",
    "IP": "IP", "IPV": "IP",
    "URL": "URL",
    "CARD": "CARD",
    "ID": "CN_ID",
    "PP": "PASSPORT", "PPCN": "PASSPORT", "PPN": "PASSPORT",
}  # fmt: skip
SLOT = re.compile(r"\{([A-Za-z]+)(\d?)\}")
ALT = re.compile(r"\[([^\[\]]*?\|[^\[\]]*)\]")


def render(template: str, g: Gen) -> tuple[str, list[dict]]:
    template = ALT.sub(lambda m: g.rng.choice(m.group(1).split("|")), template)
    slots = [(k, i) for k, i in SLOT.findall(template) if not k.islower()]
    latin_keys = {"P", "PF", "PI", "G", "S", "E"}
    western = {i for k, i in slots if k in ("PF", "PI")}
    two_char = {i for k, i in slots if k == "CG"}
    has_latin = {i for k, i in slots if k in latin_keys - {"E"}}
    has_zh = {i for k, i in slots if k in ("C", "CG")}
    people: dict[str, dict] = {}
    zh_people: dict[str, dict] = {}
    fixed: dict[str, str] = {}

    def person(i: str) -> dict:
        if i not in people:
            people[i] = g.latin_person(western_only=i in western)
        return people[i]

    def zh(i: str) -> dict:
        if i not in zh_people:
            zh_people[i] = g.zh_person(two_char_given=i in two_char)
        return zh_people[i]

    def value(key: str, i: str) -> str:
        if key == "P":
            return person(i)["full"]
        if key == "PF":
            p = person(i)
            return f"{p['family']}, {p['given']}"
        if key == "PI":
            return g.initials(person(i))
        if key == "G":
            return person(i)["given"]
        if key == "S":
            return person(i)["family"]
        if key == "C":
            return zh(i)["full"]
        if key == "CG":
            return zh(i)["given"]
        if key == "K":
            return g.rng.choice(CANTONESE)
        if key == "EN":
            return g.rng.choice(ENGLISH_GIVEN)
        if key == "E":
            if i and i in has_latin:
                return g.email(person(i))
            if i and i in has_zh:
                return g.email(None, zh=True)
            return g.email(g.latin_person(False) if g.rng.random() < 0.5 else None)
        if key == "ZE":
            return g.email(None, zh=True)
        makers = {
            "PH": g.phone_any, "PHUS": g.phone_nanp, "PHCN": g.phone_cn_mobile, "PHCL": g.phone_cn_land,
            "PHX": g.phone_intl, "IP": g.ip, "IPV": g.ipv6, "URL": g.url, "CARD": g.card, "ID": g.cn_id,
            "PP": g.passport, "PPCN": g.passport_cn, "PPN": g.passport_9,
            "date": g.date, "zdate": g.zdate, "time": g.time, "money": g.money, "rmb": g.rmb, "ref": g.ref,
            "ordnum": g.ordnum, "pnr": g.pnr, "ver": g.version, "isbn": g.isbn, "badiban": g.bad_iban,
            "badcard": lambda: g.card(valid=False), "badid": lambda: g.cn_id(valid=False),
            "company": lambda: g.rng.choice(COMPANIES), "city": lambda: g.rng.choice(CITIES),
            "street": lambda: g.rng.choice(STREETS), "zstreet": lambda: g.rng.choice(ZH_STREETS),
            "zaddr": lambda: g.rng.choice(ZH_ADDRS), "handle": lambda: g.rng.choice(HANDLES),
            "role": lambda: g.rng.choice(ROLES), "flight": lambda: g.rng.choice(FLIGHTS),
            "age": lambda: str(g.rng.randint(19, 88)), "year": lambda: str(g.rng.randint(2015, 2026)),
            "num": lambda: str(g.rng.randint(2, 48)), "d4": lambda: g.digits(4), "d6": lambda: g.digits(6),
            "d8": lambda: g.digits(8), "d12": lambda: g.digits(12),
        }  # fmt: skip
        val = makers[key]()
        if i:  # an indexed filler/structured value repeats identically
            val = fixed.setdefault(key + i, val)
        return val

    out: list[str] = []
    spans: list[dict] = []
    pos = 0
    last = 0
    for m in SLOT.finditer(template):
        lit = template[last : m.start()]
        out.append(lit)
        pos += len(lit)
        key, i = m.group(1), m.group(2)
        if key.islower():  # fillers such as {d4}: the digits are part of the name
            key, i = key + i, ""
        val = value(key, i)
        if key in LABELLED:
            spans.append({"type": LABELLED[key], "start": pos, "end": pos + len(val), "text": val})
        out.append(val)
        pos += len(val)
        last = m.end()
    out.append(template[last:])
    text = "".join(out)
    for s in spans:
        assert text[s["start"] : s["end"]] == s["text"], s
    for a, b in zip(spans, spans[1:]):
        assert a["end"] <= b["start"], (a, b)
    return text, spans


# ---------------------------------------------------------------------------------------------------------------------
# Templates: (kind, lang, text). [a|b] picks one alternative; {KEY} / {KEYn} are slots (see LABELLED and Gen).

POSITIVE = [
    # --- English ---------------------------------------------------------------------------------------------------
    (
        "airline_booking",
        "en",
        "Booking confirmed ✈\nPassenger: {PF1}\nFlight {flight}, {city} → {city}, {date}\n"
        "Seat [14C|2A|31F]  |  Passport {PP}\nContact: {PH} / {E1}\nManage your trip: {URL}.",
    ),
    (
        "airline_booking",
        "en",
        "Hi {G1}, online check-in for {flight} is now open. Please make sure the passport "
        "number we hold ({PP}) matches the document you travel with. Need help? Call {PHX}.",
    ),
    (
        "airline_booking",
        "en",
        "Travellers on booking {pnr}: {P1} (adult), {P2} (adult), {G3} (child, 7). "
        "Special assistance requested for {G1}.",
    ),
    (
        "hotel_booking",
        "en",
        "Reservation {ref}\nGuest: {P1}\nArrival {date} · 3 nights · Deluxe King\n"
        "Guarantee: card {CARD}\nWe look forward to welcoming you, Dr. {S1}.",
    ),
    (
        "hotel_booking",
        "en",
        "Front desk log, {time}: {P1} ({age}) and {P2} checked into room {num}. Late checkout "
        "approved by {G3}. Wi-Fi logins from {IP} flagged by the network team.",
    ),
    (
        "hotel_booking",
        "en",
        "Dear {G1}, thank you for choosing the Quayside Inn. Your booking with {P2} for "
        "{date} is confirmed. To change it, reply to {E} or ring {PH}.",
    ),
    (
        "insurance_claim",
        "en",
        "CLAIM {ref}\nPolicyholder: {PF1}\nDate of loss: {date}\nCircumstances: rear-ended "
        "on {street} by a van driven by {P2}, who gave the number {PH}.\nAdjuster: {PI3} <{E3}>",
    ),
    (
        "insurance_claim",
        "en",
        "Call note — caller {P1} rang from {PH} about claim {ref} and asked that all "
        "letters go to {E1}. ID check passed with passport {PP}.",
    ),
    (
        "insurance_claim",
        "en",
        "{P1}'s claim for water damage was reviewed by {PI2}. The loss adjuster, {P3}, will visit on {date}.",
    ),
    (
        "bank_dispute",
        "en",
        "To whom it may concern,\n\nI, {P1}, dispute the charge of {money} made on {date} to my "
        "card {CARD}. I did not authorise it. Please contact me at {E1} or {PH}.\n\nSincerely,\n{P1}",
    ),
    (
        "bank_dispute",
        "en",
        "Dear {P1},\nFollowing your dispute we have credited {money} to your account. The "
        "payment had been made with card {CARD} from IP address {IP}.\n{P2}, Customer Care",
    ),
    (
        "police_report",
        "en",
        "Incident {ref}. At approx. {time} on {date} officers responded to a call from {P1} "
        "({age}), who reported that her neighbour, {P2}, had been threatened. Witness {PI3} gave a statement. "
        "Reporting officer: Sgt. {S4}.",
    ),
    (
        "police_report",
        "en",
        "Subject identified as {PF1}, DOB {date}, [US|UK] passport {PPN}. Subject's phone "
        "({PHUS}) was seized. Last login from {IP}.",
    ),
    (
        "police_report",
        "en",
        "Witness statement: I, {P1}, saw a man I now know to be {P2} leave the shop at about "
        "{time}. He was with a woman called {G3}. I can be contacted on {PH}.",
    ),
    (
        "real_estate",
        "en",
        "JUST LISTED — three-bed semi on {street}, {money}. Viewings by appointment with {P1} of "
        "{company}: {PH} or {E1}. Floor plans and gallery at {URL}",
    ),
    (
        "real_estate",
        "en",
        "Agent note: {G1} showed the flat to {P2} and {P3} yesterday; they'd like a second "
        "viewing. {G2} asked to be called back on {PH}.",
    ),
    ("real_estate", "en", "SOLD by {P1} — {PH} — {URL}"),
    (
        "admissions_letter",
        "en",
        "Dear {P1},\n\nOn behalf of the Admissions Committee I am delighted to offer you a "
        "place on the MSc Data Science programme starting {date}. Your applicant number is {ref}. Please accept "
        "at {URL} by {date}.\n\nYours sincerely,\nProf. {PI2}\nDirector of Admissions",
    ),
    (
        "admissions_letter",
        "en",
        "Dear Dr. {S1}, thank you for agreeing to examine {P2}'s thesis. Please send your report to {E} by {date}.",
    ),
    (
        "cv",
        "en",
        "{P1}\n{E1} | {PH} | {URL}\n\nEXPERIENCE\n{role}, {company} ({year}–present)\n\nREFERENCES\n"
        "{P2} (line manager), {P3} (mentor)",
    ),
    ("cv", "en", "References: {PF1}; {PI2}; {P3} ({role})."),
    ("cv", "en", "References available from {P1} ({E1}) and {P2} ({E2})."),
    (
        "job_application",
        "en",
        "Dear Hiring Manager, my name is {P1} and I am applying for the {role} role. {P2}, "
        "who worked with me at {company}, suggested I apply. I can be reached on {PH}.",
    ),
    (
        "job_application",
        "en",
        "{P1} — offer of employment. Start date {date}. Your manager will be {P2}. Please sign and return to {E2}.",
    ),
    (
        "recruitment",
        "en",
        "Hi {G1}! I'm {P2}, a recruiter at {company}. Saw your profile and think you'd be a great "
        "fit. Free for a quick call this week? My number is {PH}. Cheers, {G2}",
    ),
    ("recruitment", "en", "Shortlist — {role}: 1) {PF1}  2) {PF2}  3) {PF3}. Interviews coordinated by {G4}."),
    (
        "dating_profile",
        "en",
        "{G1}, {age} 🌿 {city}-born, dog person, terrible at karaoke. If you can beat me at "
        "chess we'll get along. Text me: {PH}",
    ),
    (
        "dating_profile",
        "en",
        "matched with {G1}!! she said her friend {P2} set up the profile lol. her email is {E1} btw",
    ),
    (
        "podcast_notes",
        "en",
        "Episode {num}: Soil, Seeds and Stubbornness\nGuests: {P1} (agronomist) and {P2} "
        "(seed-bank curator). Hosted by {P3}. Find {G1}'s work at {URL}. Produced by {PI4}.",
    ),
    ("podcast_notes", "en", "Thanks to {P1} for coming on the show, and to {G2} and {G3} for editing. Write in: {E}"),
    (
        "news_quote",
        "en",
        '"We were not consulted," said {P1}, a spokesperson for the residents\' association. '
        "{S1} added that the petition had 2,000 signatures. The council's {P2} declined to comment.",
    ),
    (
        "news_quote",
        "en",
        'By {P1}\n\n{city} — The ferry strike entered its third day on Tuesday. "Nobody wins '
        'this," {P2}, a deckhand, told reporters.',
    ),
    (
        "news_quote",
        "en",
        '{P1} told us she had been queueing since dawn. "It\'s always like this," said {P2}, {age}, who lives nearby.',
    ),
    ("news_quote", "en", "Pictured, left to right: {P1}, {P2}, {PI3} and {P4} at the opening of the new library wing."),
    (
        "attendee_list",
        "en",
        "Attendees — Nordic Design Summit, {date}\n- {PF1}\n- {PF2}\n- {PF3}\n- {PF4}\nDietary notes: {G2} is vegan.",
    ),
    (
        "attendee_list",
        "en",
        "Volunteers for Saturday: {P1} (gate), {P2} (first aid), {G3} (parking). Questions to {E2}.",
    ),
    (
        "wedding_invitation",
        "en",
        "Together with their families\n{P1} & {P2}\nrequest the pleasure of your "
        "company at their wedding on {date}\nRSVP to {E1} or {PH}",
    ),
    (
        "obituary",
        "en",
        "{P1}, {age}, of {city}, passed away peacefully on {date}. She is survived by her children "
        "{G2}, {G3} and {P4}. Donations in her memory may be made at {URL}.",
    ),
    (
        "obituary",
        "en",
        "{P1} (1941–{year}). Beloved husband of {G2}, father of {P3} and {P4}. Funeral at the parish church, {date}.",
    ),
    (
        "tenant_landlord",
        "en",
        "Hi {G1}, the boiler is making that noise again. Could your plumber come "
        "Thursday? – {G2} (flat 3B)\n\n> Sure, I'll ask {P3} to ring you on {PH}.",
    ),
    ("tenant_landlord", "en", "Tenant: {PF1}. Deposit {money} received {date}. Guarantor: {P2}, {PH}."),
    (
        "gaming_chat",
        "en",
        "[{handle}] anyone up for raids tonight\n[{handle}] ya {G1} said she'd join after work\n"
        "[{handle}] tell {G2} to bring the healer lol\n[{handle}] btw my real name's {P3} if the tourney form asks",
    ),
    (
        "gaming_chat",
        "en",
        "{handle} (aka {P1}) has been banned for posting someone's IP ({IP}) in #general. Mods on duty: {G2}, {G3}.",
    ),
    ("gaming_chat", "en", "gg {G1}!! next time ur carrying me. also {P2} pls dont leak ur ip again ({IP}) lmao"),
    (
        "review",
        "en",
        "Loved the pastries, and the barista (I think her name was {G1}) remembered my order. Five "
        "stars. — {P2}, {city}",
    ),
    ("review", "en", "Terrible stay. The manager, {P1}, refused a refund. Receipts posted at {URL}. — {PI2}"),
    (
        "pharmacy",
        "en",
        "Rx {ref}\nPatient: {PF1}   DOB: {date}\nAmoxicillin 500 mg, 1 cap TID x 7 days\n"
        "Prescriber: Dr. {P2}\nPharmacist: {P3}   Tel: {PH}",
    ),
    (
        "pharmacy",
        "en",
        "Voicemail for {G1}: hi, this is {P2} from the pharmacy on {street}. Your refill is ready; "
        "call us back on {PH}.",
    ),
    (
        "tax_form",
        "en",
        "Form W-9 (copy)\nName: {P1}\nBusiness name: {company}\nEmail: {E1}\nPhone: {PHUS}\nPrepared by {PI2}, CPA",
    ),
    (
        "donation_receipt",
        "en",
        "Thank you, {G1}! We received your gift of {money} on {date} (receipt {ref}), "
        "charged to card {CARD}. Questions? {E}",
    ),
    ("donation_receipt", "en", "Payment received from {P1}. Card: {CARD}. Billing phone: {PH}. Receipt sent to {E1}."),
    ("chat", "en", "Thanks, {G1}! See you at {time}."),
    ("chat", "en", "{G1} said he'd check with {G2} and get back to us by {date}."),
    ("chat", "en", "{P1} here — running ten minutes late, tell {G2} to start without me."),
    (
        "visa_application",
        "en",
        "Visa application for {P1}, passport {PP}, travelling with spouse {P2}, passport "
        "{PP}. Consulate appointment at {time} on {date}.",
    ),
    (
        "access_log",
        "en",
        "Access log: user {handle} ({P1}) signed in from {IP} at {time}; a second session "
        "came from {IPV}. {G1} confirmed both.",
    ),
    (
        "claim_hk",
        "en",
        "Claimant {K1} reported the loss at the station. Contact number {PH}; a colleague, {K2}, "
        "confirmed the account.",
    ),
    # --- Chinese ---------------------------------------------------------------------------------------------------
    (
        "zh_rental_contract",
        "zh",
        "房屋租赁合同\n出租方（甲方）：{C1}，身份证号：{ID}，联系电话：{PHCN}\n"
        "承租方（乙方）：{C2}，身份证号：{ID}\n租金：每月{rmb}，押一付三。",
    ),
    (
        "zh_insurance_claim",
        "zh",
        "理赔申请单 编号{ref}\n被保险人：{C1}  证件号码：{ID}\n出险时间：{zdate}\n"
        "事故经过：{C1}驾车途经{zstreet}时与{C2}驾驶的车辆发生碰撞。\n联系人：{C3}  电话：{PHCN}",
    ),
    ("zh_job_ad", "zh", "【招聘启事】本公司诚聘行政助理2名，有意者请将简历发送至{ZE}，或致电{PHCL}联系人事部{C1}。"),
    ("zh_job_ad", "zh", "急招！仓库管理员，包吃住。联系{C1}经理：{PHCN}（微信同号）"),
    (
        "zh_cv",
        "zh",
        "个人简历\n姓名：{C1}\n年龄：{age}\n手机：{PHCN}\n邮箱：{E1}\n个人主页：{URL}\n证明人：{C2}（原部门经理）",
    ),
    (
        "zh_medical_record",
        "zh",
        "门诊病历\n患者：{C1}，{age}岁，身份证{ID}\n主诉：咳嗽三天\n接诊医生：{C2}\n家属{C3}陪同就诊，联系电话{PHCN}。",
    ),
    ("zh_medical_record", "zh", "{C1}（{age}岁）因发热入院，主治医师{C2}，护士{C3}。"),
    (
        "zh_police_note",
        "zh",
        "询问笔录\n被询问人：{C1}，身份证号码{ID}，现住{zaddr}。\n问：你认识{C2}吗？\n"
        "答：认识，是我邻居。昨天晚上{C2}和{C3}在楼下吵架。",
    ),
    ("zh_police_note", "zh", "经查，{C1}于{zdate}通过IP地址{IP}登录系统，修改了{C2}的账户密码。"),
    (
        "zh_wedding_invitation",
        "zh",
        "谨定于{zdate}为{C1}先生与{C2}女士举行结婚典礼，敬备喜宴，恭请光临。\n联系电话：{PHCN}",
    ),
    (
        "zh_residents_chat",
        "zh",
        "{handle}：{CG1}姐，你家快递放我这儿了\n{handle}：好的谢谢！晚点让我老公{C2}去拿\n"
        "物业{C3}：明天上午停水，请大家提前储水。",
    ),
    ("zh_class_list", "zh", "三年级二班名单：{C1}、{C2}、{C3}、{C4}、{C5}。班主任：{C6}老师，电话{PHCN}。"),
    (
        "zh_class_notice",
        "zh",
        "各位家长好，本周五下午开家长会，请{C1}、{C2}和{C3}的家长务必到场。有问题请联系{C4}老师（{PHCN}）。",
    ),
    ("zh_class_notice", "zh", "{C1}，{C2}，{C3}及{C4}四位同学获得一等奖学金。"),
    (
        "zh_livestream",
        "zh",
        "{handle}：主播，{CG1}说的那个链接在哪 {URL}\n{handle}：我下单了！收货人写的{C2}\n{handle}：{C3}你好美",
    ),
    ("zh_delivery_note", "zh", "订单备注：放门口，别敲门，宝宝在睡觉。收件人：{C1} {PHCN} 地址：{zaddr}"),
    ("zh_delivery_note", "zh", "快递员{C1}（工号{num}）来电{PHCN}，说您的包裹已放驿站。"),
    ("zh_chat", "zh", "昨天{C1}来过，说下周再来找{C2}。"),
    ("zh_passport", "zh", "{C1}的护照号码为{PPCN}，签证有效期至{zdate}。如有变更请联系{ZE}。"),
    ("zh_bank_dispute", "zh", "本人{C1}，身份证号{ID}，信用卡{CARD}于{zdate}被盗刷{rmb}，特此申请争议处理。"),
    ("zh_hotel_checkin", "zh", "入住登记：{C1}，身份证{ID}；同住人{C2}，身份证{ID}；房号{num}08，押金{rmb}。"),
    ("zh_exam_registration", "zh", "考生{C1}，身份证号{ID}，准考证号{d12}，请于{zdate}到第{num}考场参加考试。"),
    ("zh_bank_dispute", "zh", "{C1}的银行卡{CARD}已冻结，请本人携带身份证{ID}到柜台办理，咨询电话{PHCL}。"),
    # --- Code-switched English/Chinese -----------------------------------------------------------------------------
    ("codeswitch_chat", "mixed", "明天 meeting 让 {G1} 和 {C2} 一起来，room 已经 book 好了"),
    ("codeswitch_chat", "mixed", "pls 转告 Dr. {S1}，report 我已经发到 {E1} 了，thx"),
    ("codeswitch_chat", "mixed", "{C1} 的 passport 号码是 {PPCN}，visa 那边要 copy 一份"),
    ("codeswitch_chat", "mixed", "Hi all，新同事{C1}（英文名 {EN2}）今天入职，座位在 5F，mobile: {PHCN}"),
    ("codeswitch_chat", "mixed", "{handle}: 今天直播 server IP 是 {IP} 吗？卡死了 / {G1} 说她那边也卡"),
    ("codeswitch_chat", "mixed", "Reminder：周五 team dinner，{P1}、{C2} 和 {C3} 负责订位，餐厅电话 {PHCL}"),
    ("codeswitch_chat", "mixed", "{EN1} 你好，{C2} 的 email 是 {ZE}，phone {PHCN}，你直接 contact 她吧"),
    ("codeswitch_chat", "mixed", "{EN1}：今晚的 live 谁负责？\n{C2}：我和 {EN3} 吧，link 在这 {URL}"),
    ("codeswitch_chat", "mixed", "HR 要 {C1} 的 ID number：{ID}，还有 emergency contact {C2} {PHCN}"),
    ("codeswitch_chat", "mixed", "客户 {P1} 的 card {CARD} 被 decline 了，麻烦 check 一下 billing address"),
]

NEGATIVE = [
    # --- English ---------------------------------------------------------------------------------------------------
    (
        "negative_order",
        "en",
        "Your order {ordnum} has shipped. Tracking REF-{year}-{d6}. Estimated delivery "
        "{date} between {time} and {time}.",
    ),
    ("negative_invoice", "en", "Invoice INV-{d8} — total due {money} by {date}. Bill to: Accounts Payable, {company}."),
    (
        "negative_chat",
        "en",
        "[Will do|Will do!|Will do, thanks]. I'll [mark it as read|file it] and move it to the [Q3|archive] folder.",
    ),
    (
        "negative_travel",
        "en",
        "Flight {flight} departs gate B{num} at {time}; boarding closes 20 minutes earlier. Booking code {pnr}.",
    ),
    (
        "negative_directions",
        "en",
        "Turn left on Martin Luther King Jr. Blvd, then right onto [Victoria Street|"
        "George Street|Abbey Road]; the clinic is next to the Rose garden.",
    ),
    (
        "negative_finance_news",
        "en",
        "[Morgan Stanley|Goldman Sachs|Johnson & Johnson|Procter & Gamble] reported "
        "earnings on May {num}, beating estimates by {money}.",
    ),
    ("negative_grant", "en", "Grant application deadline: {date}. Attach the budget and the Gantt chart (v{ver})."),
    ("negative_payment", "en", "Test card {badcard} was declined as expected (checksum failure)."),
    ("negative_release", "en", "Release {ver} fixes the crash in the export dialog; see changelog entry {ref}."),
    ("negative_book", "en", "ISBN {isbn}, 2nd edition, paperback, {money}."),
    ("negative_bank", "en", "Account {badiban} is not a valid IBAN — the check digits are wrong."),
    (
        "negative_fiction",
        "en",
        "[Sherlock Holmes and Dr. Watson|Harry Potter and Hermione Granger|Frodo Baggins|"
        "Mickey Mouse and Donald Duck] turn up again in the [new box set|anniversary edition|Christmas special].",
    ),
    ("negative_chat", "en", "Jack up the price and they'll just order from Amazon instead."),
    ("negative_records", "en", "Record {badid} rejected: ID checksum mismatch."),
    ("negative_meeting", "en", "Meeting moved to {time} on {date}. Room 4.{num}, dial-in code {d6}#."),
    ("negative_pharmacy", "en", "Batch LOT-A{d6} expires {date}. Store below 25°C. Take with food."),
    ("negative_warranty", "en", "Serial number SN-{d4}-{d4}-{d4}; part {badcard}; warranty valid until {date}."),
    ("negative_hotel", "en", "Room rate {money} per night incl. breakfast; city tax {money}; total {money}."),
    ("negative_invoice", "en", "Bill to: Finance Dept. Ship to: Warehouse {num}, Dock B. PO {ordnum}."),
    ("negative_markets", "en", "Ford +2.1%, Tesla -0.8%, Disney flat; Marriott and Hilton up on travel demand."),
    ("negative_church", "en", "Service times: 8:00 and 10:30. Easter Sunday falls on March {num} this year."),
    (
        "negative_review",
        "en",
        "[Great hotel|Lovely flat|Decent pharmacy], friendly staff, would [come back|stay "
        "again]. [Breakfast|Parking] could be better.",
    ),
    (
        "negative_garden",
        "en",
        "[Rose|Violet|Lily|Iris] varieties are 20% off this week; Sweet William seeds back in stock {date}.",
    ),
    ("negative_tech", "en", "[Apple|Dell|Lenovo] laptops ship with 16 GB RAM; firmware {ver}; SKU {d8}."),
    (
        "negative_chat",
        "en",
        "Hope you feel better soon. Will call after the {time} meeting — Grant application review first.",
    ),
    (
        "negative_brands",
        "en",
        "Ben & Jerry's, McDonald's and Dr. Martens all have stores on Martin Luther King Jr. Blvd.",
    ),
    ("negative_tracking", "en", "UPS tracking 1Z 999 AA1 {d4} {d4} {d4}; parcel weight 2.{num} kg."),
    ("negative_hr", "en", "Please [mark as read|Bill to cost centre {d4}|file under Grant expenses] before {date}."),
    # --- Chinese ---------------------------------------------------------------------------------------------------
    ("negative_zh_chat", "zh", "今天很高兴，[周末|下周]我们去江南看石头和林业展览。"),
    ("negative_zh_order", "zh", "订单号：{ordnum}，金额：{rmb}，请于{zdate}前完成支付。"),
    ("negative_zh_news", "zh", "黄金价格今天上涨，马上就要突破新高，大家方便的话关注一下。"),
    ("negative_zh_chat", "zh", "麻烦把文件发我一下，明白了吗？安全第一，[常常|经常]检查。"),
    ("negative_zh_chat", "zh", "白天太热了，于是我们向前走了[两|三]公里才找到阴凉。"),
    ("negative_zh_travel", "zh", "航班{flight}于{time}起飞，登机口C{num}，请提前到达。"),
    ("negative_zh_fiction", "zh", "[孙悟空大闹天宫|林黛玉葬花|诸葛亮草船借箭]是名著里最有名的章节之一。"),
    ("negative_zh_delivery", "zh", "快递单号SF{d12}，预计{zdate}送达。"),
    ("negative_zh_chat", "zh", "童话里的王国很美，周末带孩子去看金色的白天鹅。"),
    ("negative_zh_invoice", "zh", "发票号码{d8}，税额{rmb}，开票日期{zdate}。"),
    ("negative_zh_release", "zh", "版本号 v{ver}，更新时间{zdate} {time}。"),
    ("negative_zh_records", "zh", "证件号{badid}校验失败，请核对后重新录入。"),
    ("negative_zh_payment", "zh", "卡号{badcard}校验不通过，请重新输入。金额{rmb}。"),
    ("negative_zh_finance", "zh", "请将金额{rmb}转入对公账户，备注订单号{ordnum}。"),
    # --- Code-switched ---------------------------------------------------------------------------------------------
    ("negative_codeswitch", "mixed", "明天 meeting 改到 {time}，room 302，记得带 laptop。"),
    ("negative_codeswitch", "mixed", "这个 bug 在 {ver} 已经 fix 了，ticket {ref}。"),
    ("negative_codeswitch", "mixed", "Mark as read 之后记得 archive，周末别回 email 了。"),
    ("negative_codeswitch", "mixed", "Ben & Jerry's 和 McDonald's 都在 Martin Luther King Jr. Blvd 开了店，方便。"),
    ("negative_codeswitch", "mixed", "Booking code {pnr}，flight {flight}，{date} 出发，别忘了 check-in。"),
]


def make_set(seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    g = Gen(rng)
    rows: list[dict] = []
    seen: set[str] = set()
    positive_target, negative_target = 470, 180

    def fill(templates: list[tuple[str, str, str]], target: int, negative: bool) -> None:
        produced = 0
        rounds = 0
        while produced < target and rounds < 50:
            rounds += 1
            for kind, lang, tpl in templates:
                if produced >= target:
                    break
                for _ in range(5):  # a few tries to avoid duplicate texts
                    text, spans = render(tpl, g)
                    if text not in seen:
                        break
                else:
                    continue
                if negative:
                    assert not spans, (kind, text)
                else:
                    assert spans, (kind, text)
                seen.add(text)
                rows.append({"split": "blind2", "kind": kind, "lang": lang, "text": text, "spans": spans})
                produced += 1

    fill(POSITIVE, positive_target, negative=False)
    fill(NEGATIVE, negative_target, negative=True)
    rng.shuffle(rows)
    for row in rows:
        for s in row["spans"]:
            assert row["text"][s["start"] : s["end"]] == s["text"]
        if any(s["type"] == "CARD" for s in row["spans"]):
            for s in row["spans"]:
                if s["type"] == "CARD":
                    assert luhn_ok(re.sub(r"\D", "", s["text"]))
        for s in row["spans"]:
            if s["type"] == "CN_ID":
                assert id_check_char(s["text"][:17]) == s["text"][17]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the set as JSONL to this file")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rows = make_set(args.seed)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"wrote {len(rows)} rows to {args.out}")
        return
    types = collections.Counter(s["type"] for r in rows for s in r["spans"])
    langs = collections.Counter(r["lang"] for r in rows)
    kinds = collections.Counter(r["kind"] for r in rows)
    negatives = sum(1 for r in rows if not r["spans"])
    print(f"rows: {len(rows)}  negatives: {negatives}  templates: {len(POSITIVE)} positive + {len(NEGATIVE)} negative")
    print("spans per type:", dict(sorted(types.items())))
    print("rows per lang:", dict(sorted(langs.items())))
    print("rows per kind:")
    for kind, n in sorted(kinds.items()):
        print(f"  {kind:28s} {n}")


if __name__ == "__main__":
    main()
