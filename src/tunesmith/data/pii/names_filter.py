"""Last checks on every PERSON span, whichever recognizer found it: spans that stand where names do but are none.

Each check is a kind of false positive seen on text we did not write (bench/pii_blind2.py): a title alone ("Dear
Dr."), a street or a place ("Mill Lane", "Martin Luther King Jr. Blvd"), a company or a department ("Greystone
Property", "Accounts Payable", "Finance Dept"), short acronyms ("16 GB RAM"), a field label standing where a speaker
would ("Policyholder: van der Berg"), and famous fictional characters, which name nobody ("Harry Potter").
"""

from __future__ import annotations

import re

from tunesmith.data.pii.names_gazetteer import ORGANISATIONS, is_given

# fmt: off
TITLES = frozenset(("Dr", "Prof", "Mr", "Mrs", "Ms", "Miss", "Mx", "Sir", "Madam", "Rev", "Hon", "Capt", "Sgt"))
# the last word of a street, place or venue
STREETS = frozenset((
    "Street", "St", "Road", "Rd", "Lane", "Ln", "Way", "Close", "Avenue", "Ave", "Boulevard", "Blvd", "Drive", "Dr",
    "Court", "Ct", "Place", "Pl", "Terrace", "Crescent", "Grove", "Gardens", "Parade", "Row", "Mews",
    "Walk", "Highway", "Hwy", "Square", "Plaza", "Alley", "Quay", "Wharf", "Embankment", "Calle", "Mayor", "Strasse",
    "Straße", "Rue", "Via", "Summit", "Conference", "Festival", "Expo", "Forum",
))
# the last word of a company, team or department (on top of names_gazetteer.ORGANISATIONS)
ORG_WORDS = frozenset((
    "Dept", "Payable", "Receivable", "Freight", "Lettings", "Property", "Travel", "Mutual", "Analytics", "Health",
    "Homes", "Design", "Sachs", "Stanley", "Fargo", "Brothers", "Bros", "Manager", "Team", "Desk",
    "Department", "Committee", "Council", "Board", "Office", "Payroll", "Accounts", "Finance", "Operations", "Sales",
    "Marketing", "Support", "Engineering", "Legal", "Procurement", "Recruiting", "Hiring", "Admissions",
))
# characters of fiction and cartoons that come up in text about books, films and games: they name no real person
FICTIONAL = frozenset((
    "Harry Potter", "Hermione Granger", "Ron Weasley", "Albus Dumbledore", "Frodo Baggins", "Bilbo Baggins",
    "Samwise Gamgee", "Sherlock Holmes", "John Watson", "Mickey Mouse", "Minnie Mouse", "Donald Duck",
    "Daisy Duck", "Bugs Bunny", "Homer Simpson", "Bart Simpson", "Lisa Simpson", "Marge Simpson", "Luke Skywalker",
    "Darth Vader", "Han Solo", "Leia Organa", "Peter Pan", "Winnie the Pooh", "Tony Stark", "Bruce Wayne",
    "Clark Kent", "Peter Parker", "James Bond", "Indiana Jones", "Jon Snow", "Daenerys Targaryen", "Tom Sawyer",
    "Huckleberry Finn", "Oliver Twist", "Ebenezer Scrooge", "Jay Gatsby", "Atticus Finch", "Elizabeth Bennet",
    "Mr Darcy", "Mr. Darcy", "Hercule Poirot", "Miss Marple", "Scooby Doo", "Shrek", "Super Mario", "Lara Croft",
    "Sweet William",
))
# fmt: on
# a word whose ending makes it a noun, not a name, when it stands alone as a label ("Policyholder:", "Adjuster:")
_NOUN_END = re.compile(r"(?:holder|ances?|ence|ment|tion|sion|ness|ity|ings|ship|ster|ee|ist|ary|ory|ure|age)$")
_ACRONYM = re.compile(r"[A-Z0-9]{1,4}")
_LABEL_COLON = re.compile(r"[ \t]*:")
_STREET_AFTER = re.compile(rf"[ \t]+(?:Jr\.?[ \t]+)?(?:{'|'.join(sorted(STREETS - {'Dr'}))})\b")
_DATE_AFTER = re.compile(r"[ \t]+\d")
MONTHS = frozenset(("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"))


def not_a_name(text: str, start: int, end: int) -> bool:
    """Whether the PERSON span text[start:end] is plainly no person (see the module docstring)."""
    span = text[start:end].strip()
    words = [w for w in re.split(r"[\s,]+", span) if w]
    if not words or re.search(r"[\u3400-\u9fff]", span) and not re.search(r"[A-Za-z]", span):
        return False
    bare = [re.sub(r"(?:['’]s|\.)$", "", w) or w for w in words]
    if all(w in TITLES for w in bare) or span in FICTIONAL or span.rstrip("'’s") in FICTIONAL:
        return True
    if len(bare) > 1 and (bare[-1] in STREETS or bare[-1] in ORG_WORDS or bare[0] in ORG_WORDS):
        return True
    if len(bare) == 1 and bare[0] in ORG_WORDS and not is_given(bare[0]):
        return True  # "Dear Hiring Manager" → "Hiring"
    if any(w in ORGANISATIONS for w in bare):
        return True
    if len(words) > 1 and (all(_ACRONYM.fullmatch(w) for w in words) or re.fullmatch(r"[A-Z]{1,3}", words[-1])):
        return True  # "GB RAM", "Dock B. PO"
    if "→" in span or _STREET_AFTER.match(text, end):
        return True  # "Accra → Auckland", "Martin Luther King Jr. Blvd"
    if span in MONTHS and _DATE_AFTER.match(text, end):
        return True  # "by Mar 2"
    single = len(words) == 1 and not is_given(words[0])
    return single and bool(_NOUN_END.search(words[0].lower())) and bool(_LABEL_COLON.match(text, end))
