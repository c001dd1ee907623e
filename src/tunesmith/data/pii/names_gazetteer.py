"""Latin-script names by what they are, not where they stand: a known given name next to a capitalised word.

The given names come from `gender-guesser`'s data file (`nam_dict.txt`, Jörg Michael's list of about 48,000 first
names from some 50 countries and language areas — Europe, the Americas, the Arab world, Turkey, India, China, Japan,
Korea, Vietnam — under the GNU FDL); only that file is read, the package's code is not used. A run of capitalised
words counts as a name from its first known given name on, when one or two more capitalised words that are no stop
words or field labels follow ("Priyanka R. Chaudhry", "JOHN SMITH" in a header), or from one or two capitalised words
before it ("Lindqvist Bilal", family name first). "Surname, Given" opening a line ("Okoye, Amara") counts too, and
so does one of the sixteen Vietnamese family names most people have before a known given or middle name ("Do Minh
An"). A run holding an organisation's or place's word (Imports, Station …) is no name. Given names that are also
everyday English words, places or brands (May, Will, Grant, Rose, Visa, Austin, Paris …: `COMMON`) never start a
name here; spaCy's NER and the cue rules of `names_en` still see them. A lone given name counts only after a greeting
word or mid-sentence before a comma, "!" or "?" ("Yo Priyanka,", "hey Hana, did you …"). Chinese names in pinyin
("Sun Meiling") come from `names_pinyin`; Korean given names the list lacks ("Seo-yeon") are read by their syllables.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from spacy.lang.en.stop_words import STOP_WORDS

from tunesmith.data.pii.names_en import LOWER, NOT_NAMES, UPPER
from tunesmith.data.pii.names_pinyin import is_pinyin_name
from tunesmith.data.pii.span_recognizer import SpanRecognizer

_WORD = rf"(?:[{UPPER}][{LOWER}]+|[{UPPER}]{{2,}})(?:['’-][{UPPER}{LOWER}][{LOWER}{UPPER}]+)?"
_LATIN = rf"{UPPER}{LOWER}0-9_"
RUN = re.compile(rf"(?<![{_LATIN}@.-]){_WORD}(?:(?:[ \t]+(?:[A-Z]\.[ \t]+)?|,[ \t]+){_WORD})*(?![{_LATIN}@])")
_TOKEN = re.compile(rf"{_WORD}|,")
_GREETING = re.compile(r"(?:\b(?:hi|hey|hello|yo|dear|thanks|thank you|ping|cc|@)[ \t,]*)$", re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\]\n>\"“(|]|[-—–]{1,2})[ \t]*$")
# fmt: off
# given names in the list that are also everyday English words, places or brands: they never start a name here
COMMON = frozenset((
    "May", "Will", "Grant", "Bill", "Rose", "Jack", "Mark", "Sunny", "Joy", "Hope", "Faith", "Grace", "Art", "Guy",
    "Pat", "Sue", "Rob", "Don", "Ray", "Dawn", "Summer", "April", "June", "August", "Chase", "Hunter", "Page",
    "Penny", "Ruby", "Amber", "Crystal", "Holly", "Ivy", "Jade", "Pearl", "Violet", "Max", "Frank", "Miles", "Lane",
    "Dale", "Glen", "Cliff", "Rich", "Sandy", "Young", "Long", "Hi", "Can", "My", "Yo", "Hey", "Price", "Nest",
    "Austin", "Paris", "Jordan", "Victoria", "Sydney", "Alexa", "Siri", "India", "London", "Asia", "America",
    "China", "Georgia", "Florence", "Chelsea", "Madison", "Phoenix", "Dallas", "Houston", "Lincoln", "Mercedes",
    "Tesla", "Harley", "Chevy", "Porsche", "Dell", "Sky", "Star", "Sun", "Moon", "River", "Storm", "Rain", "Snow",
    "Gold", "Silver", "Honey", "Angel", "Baby", "King", "Prince", "Princess", "Duke", "Major", "General", "Royal",
    "Early", "Happy", "Lucky", "Merry", "Noble", "True", "Bright", "Brown", "Green", "White", "Black", "Gray",
    "Grey", "Blue", "Red", "Rusty", "Buddy", "Bud", "Buck", "Doc", "Ace", "Bear", "Fox", "Wolf", "Hawk", "Robin",
    "Jay", "Drew", "Bob", "Norm", "Sterling", "Carol", "Patience", "Charity", "Justice", "Liberty", "Destiny",
    "Harmony", "Melody", "Unity", "Trinity", "Genesis", "Eden", "Heaven", "Haven", "Echo", "Neo", "Nova", "Luna",
    "Aurora", "Iris", "Lotus", "Daisy", "Lily", "Poppy", "Heather", "Fern", "Hazel", "Olive", "Cherry", "Ginger",
    "Candy", "Brandy", "Sherry", "Chanel", "Prada", "Gucci", "Nike", "Adidas", "Oracle", "Delta", "Alpha", "Omega",
    "Beta", "Sigma", "Gamma", "Zeta", "Win", "Else", "Man", "Son", "Van", "Von", "Le", "La", "De", "Del", "Di",
    "Da", "Du", "Al", "El", "Bin", "Ben", "Mac", "Mc", "Do", "Ho", "Ha", "Na", "No", "So", "Oh", "Ok", "Om", "On",
    "Un", "Us", "In", "At", "An", "Am", "As", "Be", "By", "Go", "If", "Is", "It", "Me", "Of", "Or", "To", "Up", "We",
    "Ya", "Ye", "Yes", "Sale", "Case", "Code", "Data", "Cloud", "Bank", "Store", "Shop", "Mall", "Park", "Hall",
    "Parking", "Center", "Central", "Pacific", "Atlantic", "Christian", "Christmas", "Easter", "Friday", "Monday",
    "Tuesday", "Wednesday", "Thursday", "Saturday", "Sunday", "Mercy", "Dolly", "Polly", "Ivory", "Jewel", "Bliss",
    "Precious", "Treasure", "Wisdom", "Gift", "Given", "Blessing", "Memory", "Sage", "Reed", "Wood", "Stone", "Rock",
    "Forest", "Field", "Brook", "Lake", "Bay", "Ocean", "Marina", "Coral", "Misty", "Dusty", "Windy", "Stormy",
    "Cash", "Penny", "Sonny", "Champ", "Tiny", "Shorty", "Junior", "Senior", "Boy", "Girl", "Lady", "Madam", "Sir",
    "Miss", "Master", "Pastor", "Bishop", "Pope", "Abbot", "Dean", "Marshal", "Colonel", "Captain", "Prime",
    "Grand", "Big", "Little", "Small", "Tall", "Short", "Fast", "Quick", "Smart", "Best", "Better", "Good", "Fine",
    "Nice", "Great", "Free", "Open", "Close", "Click", "Press", "Enter", "Return", "Shift", "Alt", "Tab", "Home",
    "End", "Start", "Stop", "Play", "Pause", "Save", "Load", "Post", "Mail", "Sent", "Order", "Total", "Due",
    "Kind", "Dear", "Love", "Fancy", "Sweet", "Apple", "Samsung", "Galaxy", "Pixel", "Harry", "Potter", "Windows",
    # English words, places and brands that the list also holds as (rare) given names
    "Age", "Aide", "Ale", "Arcade", "Arise", "Ate", "Bee", "Beer", "Bell", "Belle", "Bet", "Blossom", "Brain",
    "Brand", "Bunny", "Cat", "Chance", "Chip", "Chuck", "Clay", "Core", "Cord", "Corona", "Diamond", "Diet", "Dip",
    "Diva", "Donate", "Door", "Dot", "Ear", "Emerald", "Essence", "Fair", "Fairy", "Fee", "Flip", "Geek", "Gen",
    "Herald", "Herb", "Helm", "Ice", "Impress", "Innocent", "Jeep", "Jolly", "Judge", "Karma", "Kick", "Kin",
    "Lame", "Lean", "Lion", "Lot", "Loyal", "Lyric", "Mania", "Manor", "March", "Marvel", "Maze", "Meadow", "Men",
    "Merge", "Miracle", "Nanny", "Nickel", "Night", "Ninja", "Nirvana", "Non", "Octave", "Ode", "Okay", "Oral",
    "Pace", "Pen", "Petty", "Pie", "Pit", "Polo", "Queen", "Rail", "Rush", "Saber", "Sake", "Salmon", "Sincere",
    "Skip", "Slim", "Solo", "Spring", "Sunshine", "Swan", "Tale", "Tell", "Ties", "Till", "Toe", "Trace", "Velvet",
    "Vessel", "Visa", "Vital", "Viva", "Wander", "Way", "Wing", "Wit", "Soon", "Song", "Mate", "Autumn", "Berry",
    "Coco", "Basil", "Tea", "Raven", "Wren", "Colt", "Fawn", "Kitty", "Floor", "Honor", "Magnolia", "Willow",
    "Maverick", "Venus", "Orion", "Apollo", "Mickey", "Kia", "Lima", "Manila", "Montana", "Tulsa", "Vienna",
    "Valencia", "Torino", "Riga", "Odessa", "Sheffield", "Syria", "Iran", "Kenya", "Argentina", "Doha", "Mali",
    "Denver", "Cleveland", "Dayton", "Brooklyn", "Raleigh", "York", "Stanford", "Cornell", "Hilton", "Marriott",
    "Hong", "New", "San", "Santa", "Saint", "St", "Los", "Las", "Fort", "Port", "Mount", "Lake", "Santo", "Sao", "São",
))
# particles inside a name ("Pham Van Trang", "Maria de Souza"), never its first word
PARTICLES = frozenset(("Van", "Thi", "Le", "De", "Da", "Di", "Du", "Del", "La", "Von", "Bin", "Ben", "Al", "El"))
# the Vietnamese family names most people have (Le, Do, Ho are words or particles elsewhere)
VIETNAMESE_FAMILY = frozenset((
    "Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Phan", "Vu", "Vo", "Dang", "Bui", "Do", "Ho", "Ngo", "Duong",
    "Ly",
))
# words that make a run of capitalised words an organisation's or a place's name ("Oliveira Imports", "Elizabeth
# Line"); place names that begin with a given name ("New York", "San Francisco") are kept out by COMMON above
ORGANISATIONS = frozenset((
    "Imports", "Exports", "Trading", "Holdings", "Solutions", "Systems", "Consulting", "Partners", "Labs", "Media",
    "Studio", "Studios", "Foods", "Motors", "Industries", "Enterprises", "Associates", "Capital", "Ventures",
    "Technologies", "Tech", "Software", "Services", "Airlines", "Hotel", "Hotels", "Restaurant", "Cafe", "Café",
    "Pharmacy", "Clinic", "Insurance", "Realty", "Properties", "Construction", "Electric", "Energy", "Foundation",
    "Institute", "College", "School", "Academy", "Museum", "Library", "Church", "Books", "Records", "Games",
    "Logistics", "Traders", "Bank", "Group", "Inc", "Ltd", "Llc", "Corp", "Co", "GmbH", "Company", "Agency",
    "Line", "Station", "Airport", "City", "County", "Street", "Road", "Avenue", "Bridge", "Square", "Tower",
))
# fmt: on
# a Korean given name in Revised Romanization (and its common older spellings: Soo, Hee): two syllables joined by a
# hyphen, the second in lower case ("Seo-yeon", "Min-jun", "Dong-hyun"); the list holds only some of them
_KO_SYLLABLE = (
    r"(?:g|kk|k|n|d|tt|t|r|l|m|b|pp|p|ss|s|jj|j|ch|h)?(?:y?ae|y?eo|y?e|w?a|wae|oe|y?o|y?u|wo|we|wi|eu|ui|i|oo|ee)"
    r"(?:ng|k|n|t|l|m|p)?"
)
KOREAN_GIVEN = re.compile(rf"(?=[A-Z][a-z]+-(?!up$)[a-z]+$)(?i:{_KO_SYLLABLE}-{_KO_SYLLABLE})")  # not "Set-up"


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """The given names of gender-guesser's list (as written there, and with '+' joined by '-', ' ' or nothing),
    less English stop words and the common words above; loaded once, about 0.5 s."""
    names: set[str] = set()
    data = resources.files("gender_guesser") / "data" / "nam_dict.txt"
    with data.open(encoding="utf-8") as lines:
        for line in lines:
            if line[:1] in "#=" or len(line) < 4:
                continue
            name = line.split()[1]
            names.update(name.replace("+", joint) for joint in ("-", " ", ""))
    return frozenset(n for n in names if len(n) > 1 and n.lower() not in STOP_WORDS and n not in COMMON)


def is_given(word: str) -> bool:
    """Whether `word` (any case; "Ji-woo" as "Ji-Woo") is a known given name that is no common word."""
    plain = word if not word.isupper() else word.title()
    hyphenated = "-".join(part.capitalize() for part in plain.split("-"))
    return plain in given_names() or hyphenated in given_names() or bool(KOREAN_GIVEN.fullmatch(word))


def continues(word: str) -> bool:
    """Whether a capitalised word may follow a given name inside a name: a particle, or any word that is no stop
    word or field label ("Price" may: "Harper Price")."""
    plain = word if not word.isupper() else word.title()
    return word in PARTICLES or (plain.lower() not in STOP_WORDS and plain not in NOT_NAMES)


def leads(word: str) -> bool:
    """Whether a capitalised word may stand before a given name as a family name ("Lindqvist Bilal")."""
    return word in PARTICLES or is_other(word)


def is_other(word: str) -> bool:
    """Whether a capitalised word may be a family name beside a given name: no stop word, field label or common
    word."""
    plain = word if not word.isupper() else word.title()
    return plain.lower() not in STOP_WORDS and plain not in NOT_NAMES and plain not in COMMON


def names_in(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the names `text` holds, by the gazetteer rules of this module."""
    spans = []
    for run in RUN.finditer(text):
        tokens = [(m.group(), run.start() + m.start(), run.start() + m.end()) for m in _TOKEN.finditer(run.group())]
        if not any(word in ORGANISATIONS for word, _, _ in tokens):
            spans.extend(_names_in_run(text, tokens))
    return spans


def _names_in_run(text: str, tokens: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Names in one run of capitalised words (commas kept as tokens), left to right."""
    found = []
    i = floor = 0  # tokens before `floor` are taken
    while i < len(tokens):
        word, start, end = tokens[i]
        if i + 1 < len(tokens) and is_pinyin_name(word, tokens[i + 1][0]):  # "Sun Meiling", "Zhiqiang Wang"
            found.append((start, tokens[i + 1][2]))
            i = floor = i + 2
            continue
        if word in VIETNAMESE_FAMILY and (stop := _vietnamese_end(tokens, i)):  # "Le Van Hoa", "Do Minh An"
            found.append((start, tokens[stop - 1][2]))
            i = floor = stop
            continue
        if word != "," and is_given(word):
            j = i + 1
            while j < len(tokens) and tokens[j][0] != "," and continues(tokens[j][0]) and j - i < 3:
                j += 1
            k = i  # family name first: "Lindqvist Bilal", "Pham Van Trang"
            while k > floor and tokens[k - 1][0] != "," and leads(tokens[k - 1][0]) and i - k < 2:
                k -= 1
            while k < i and tokens[k][0] in PARTICLES:
                k += 1
            if j > i + 1 or k < i:
                found.append((tokens[k][1], tokens[j - 1][2]))
                i = floor = j
                continue
            if i >= 2 and tokens[i - 1][0] == "," and is_other(tokens[i - 2][0]) and _opens(text, tokens[i - 2][1]):
                found.append((tokens[i - 2][1], end))  # "Okoye, Amara" opening a line or after a label
            elif (i == 0 or tokens[i - 1][0] == ",") and _alone(text, word, start, end):
                found.append((start, end))
        i += 1
    return found


def _vietnamese_end(tokens: list[tuple[str, int, int]], i: int) -> int:
    """Where a Vietnamese name that starts with the family name at `i` ends (0: none): one or two short words
    follow, one of them a known given or middle name."""
    words = []
    for word, _, _ in tokens[i + 1 : i + 3]:
        if word == "," or len(word) > 6 or not word[1:].islower():
            break
        words.append(word)
    while words and not any(w in PARTICLES or is_given(w) for w in words):
        words.pop()
    return i + 1 + len(words) if words else 0


def _opens(text: str, start: int) -> bool:
    """Whether `start` opens a line or a quoted cell, or follows a label's colon or "for" / "by" / "of": where a
    "Surname, Given" entry stands ("prescription for Zieliński, Joanna")."""
    return bool(re.search(r"(?:^|\n|[:;\"“]|\b(?:for|by|of|Counsel,))[ \t]*$", text[max(0, start - 16) : start]))


def _alone(text: str, word: str, start: int, end: int) -> bool:
    """Whether a lone given name is a name: three letters or more, and addressed (after a greeting) or mid-sentence
    before a comma, '!' or '?'."""
    if word.isupper() or len(word) < 3:
        return False
    before = text[max(0, start - 16) : start]
    if _GREETING.search(before):
        return True
    return not _SENTENCE_START.search(before) and bool(re.match(r"[ \t]*[,!?]", text[end:]))


class GazetteerNameRecognizer(SpanRecognizer):
    """PERSON in Latin script: a known given name and a capitalised word, from gender-guesser's name list."""

    find = staticmethod(names_in)
    score = 0.9
