from __future__ import annotations

import itertools
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _


class MaximumLengthValidator:
    """Long passphrases are welcome (ASVS 6.2.9 asks for at least 64); this cap only
    keeps a megabyte-long "password" from tying up the Argon2 hasher."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("Your password must be %(max_length)d characters or fewer."),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("Your password must be %(max_length)d characters or fewer.") % {"max_length": self.max_length}


# Colours of the reference scales (grades, RAG statuses): data, applied by a style sheet.
hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hexadecimal digits, like #d4351c.")


# --- Identifying details (UK GDPR Art. 5(1)(c), 25) ---------------------------------------
# The service identifies children by board reference only, and everyone else by their role.
# Free text that looks as if it holds an NHS number, a date of birth, a phone number, a
# postcode, a street address or a person's name is refused, with a message saying why. The
# patterns read a normalised copy of the text, so look-alike digits, invisible characters
# and unusual spaces hide nothing; the text saved is the text typed.
#
# Every field about a case, a recommendation or a report runs these on each save, on texts
# of up to 5,000 characters: each pattern starts with a literal or a character class (so the
# regex engine skips ahead instead of trying every position), and no repetition sits inside
# an unbounded one (so no input can make it backtrack for long).

IDENTIFYING_DETAILS_HELP = "Use the board reference instead: never a child's name, NHS number or date of birth."
CONTACT_DETAILS_HELP = "Leave out where anyone lives and how to reach them: use the board reference instead."
NAME_HELP = "Use the board reference for the child and a role for anyone else, like mother or class teacher."

# Zero-width space, non-joiner and joiner, word joiner, byte order mark and soft hyphen are
# invisible, so they could split a number without anyone seeing it: removed. Dashes and
# minus signs that NFKC leaves alone read as a hyphen, curly apostrophes as straight ones.
_LOOK_ALIKES = {
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad")),
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"), "-"),
    **dict.fromkeys(map(ord, "\u2018\u2019"), "'"),
}


def normalise(text: str) -> str:
    """The text as the patterns read it: NFKC (full-width and other compatibility
    characters, non-breaking and other spaces become their plain forms), invisible
    characters removed, dashes as hyphens, curly apostrophes straight, and any other
    decimal digit (Arabic-Indic, Devanagari, ...) as its ASCII digit."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    digits = {char for char in set(text) if char.isdecimal() and not char.isascii()}
    return text.translate(_LOOK_ALIKES | {ord(digit): str(unicodedata.decimal(digit)) for digit in digits})


def _alternation(words: Iterable[str]) -> str:
    """A pattern matching any of the words, as a trie: the regex engine tries a group's
    alternatives one by one, so a long flat list would be tried in full at every letter."""
    words = sorted(set(words))
    branches = [
        re.escape(first) + _alternation(word[1:] for word in group)
        for first, group in itertools.groupby((word for word in words if word), key=operator.itemgetter(0))
    ]
    if not branches:
        return ""
    pattern = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{pattern})?" if words[0] == "" else pattern


_GAP = r"[^\S\r\n]"  # a space or tab, never a line break

# NHS numbers: ten digits written the way people write one (run together, 3-3-4, 4-3-3,
# 3-4-3, 5-5, in pairs, one by one), the groups joined by spaces, a dot, a hyphen or a slash
# (a space either side allowed), separators mixed or not; not part of a longer number. Each
# start is tried, so a failed candidate cannot hide one that overlaps it. A board reference
# with a count after it ("MACA-2010-09-03 12", 4-2-2-2) is no candidate, and the modulus 11
# check lets ten in eleven other candidates through.
NHS_NUMBER_GROUPINGS = ((10,), (3, 3, 4), (4, 3, 3), (3, 4, 3), (5, 5), (2,) * 5, (1,) * 10)
_NUMBER_SEPARATOR = rf"(?:{_GAP}{{1,3}}|{_GAP}?[-./]{_GAP}?)"


def _digits_after_the_first(grouping: tuple[int, ...]) -> str:
    groups = [f"[0-9]{{{size}}}" for size in grouping]
    groups[0] = f"[0-9]{{{grouping[0] - 1}}}" if grouping[0] > 1 else ""
    return _NUMBER_SEPARATOR.join(groups)


# The first digit, not after another one; the rest looked ahead at, so the next search
# starts at the next digit.
NHS_NUMBER_CANDIDATE = re.compile(
    r"[0-9](?<![0-9]{2})(?=("
    + "|".join(_digits_after_the_first(grouping) for grouping in NHS_NUMBER_GROUPINGS)
    + r")(?![0-9]))"
)
_NOT_DIGITS = {code: None for code in range(128) if not chr(code).isdigit()}

# Dates of birth: a birth keyword, a few filler words ("is", "on the"), then a date. Read on
# the lower-cased text. What may follow the keyword: a full date, a month and year, or a
# day and month (a birthday); none of these is refused without the keyword.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_SEPARATOR = rf"(?:{_GAP}?[/.\-]{_GAP}?|{_GAP})"
_BIRTH_DATE = (
    rf"(?:[0-9]{{1,2}}{_DATE_SEPARATOR}[0-9]{{1,2}}{_DATE_SEPARATOR}[0-9]{{2,4}}(?![0-9])"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"|[0-9]{6}(?:[0-9]{2})?(?![0-9])"  # DDMMYY or DDMMYYYY run together
    r"|[0-9]{1,2}[/.\-][0-9]{4}(?![0-9])"  # month and year
    r"|[0-9]{1,2}/[0-9]{1,2}(?![/0-9])"  # day and month
    rf"|[0-9]{{1,2}}{_ORDINAL}(?:\s+of)?[\s/.\-]{{1,3}}{_MONTH}(?:,?[\s/.\-]{{1,3}}[0-9]{{2,4}})?"
    rf"|{_MONTH}\s+[0-9]{{1,2}}{_ORDINAL}\b(?:,?\s+[0-9]{{2,4}})?"
    rf"|{_MONTH},?[\s/.\-]{{1,3}}[0-9]{{4}})"
)
DATE_OF_BIRTH = re.compile(
    # "dob", "d.o.b.", "date of birth", "birth date", "born", "birthday"; not inside a word ("unborn").
    r"(?:d(?<!\wd)(?:\.?\s?o\.?\s?b|ate[\s\-]+of[\s\-]+birth)|b(?<!\wb)(?:orn|irth[\s\-]*date|irthday))\b\.?"
    r"[\s:=\-]{0,5}(?:(?:is|was|of)\b[\s:]{0,3})?(?:[a-z]+ly\s+)?(?:(?:on|in)\s+)?(?:the\s+)?" + _BIRTH_DATE
)

# Phone numbers: UK geographic (01, 02) and mobile (07) numbers, written nationally, with
# +44 or 0044, with spaces, hyphens or brackets. Not the start of a number inside a word, a
# reference or a URL. Freephone, 03 and other non-geographic numbers are organisations'
# (helplines, a council's switchboard) and may be quoted in evidence.
_NOT_AFTER = r"[\w+\-./]"
_FROM_ABROAD = rf"44{_GAP}?(?:\(0\){_GAP}?)?"
PHONE_NUMBER = re.compile(
    rf"(?:\+(?<!{_NOT_AFTER}\+){_GAP}?{_FROM_ABROAD}|\((?<!{_NOT_AFTER}\()0|0(?<!{_NOT_AFTER}0)(?:0{_FROM_ABROAD})?)"
    rf"[127](?:(?:{_GAP}|[-)]){{0,2}}[0-9]){{8,9}}(?!(?:{_GAP}|[-)]){{0,2}}[0-9])"
)

# Postcodes: outward code (area letters, district digit, maybe one more character), an
# optional space, inward code (a digit, two letters). Found from the district digit, the
# outward letters checked behind it. C, I, K, M, O and V never end a postcode; a lower-case
# ordinal ("room b3 8th floor") is let through too.
POSTCODE = re.compile(
    r"[0-9](?:(?<=\b[A-PR-UWYZ][0-9])|(?<=\b[A-PR-UWYZ][A-HK-Y][0-9]))[A-Z0-9]?"
    rf"{_GAP}?(?P<inward>[0-9][ABD-HJLNP-UW-Z]{{2}})\b",
    re.IGNORECASE,
)
_ORDINAL_INWARD = re.compile(r"[0-9](?:st|nd|rd|th)")

# Street addresses: a house number (not part of a longer number or reference), then up to
# three capitalised words of which the last is a street word ("14 Acacia Avenue", "2a High St").
_STREET_WORDS = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Close|Drive|Way|Crescent|Court|Gardens|Place|Terrace|Grove|Hill|Park"
    "|Square|View|Walk|Row|Mews"
)
STREET_ADDRESS = re.compile(
    rf"[0-9](?<![\w.,/\-][0-9])[0-9]{{0,2}}[A-Za-z]?,?{_GAP}+(?P<words>(?:[A-Z][\w'\-]*{_GAP}+){{1,3}}?)"
    rf"(?P<street>{_STREET_WORDS})\b"
)
# "3 Family Court hearings", "2 Safe Place schemes": a number of things, not an address.
_NOT_STREETS = {
    "Court": {"Family", "Crown", "County", "Magistrates", "Magistrates'", "Youth", "High", "Appeal", "Coroner's"},
    "Place": {"Safe"},
    "Park": {"Car"},
}

# Names: a capitalised word after a title ("Mr Smith") or a family word ("mum Kelly",
# "brother Jayden"). One or two capitals ("Mr X", "Mum B") are how case reviews anonymise
# people, so they pass. After a family word, a common English word ("Mum Was", where a full
# stop went missing) or the first word of an organisation's name ("partner Devon
# Partnership Trust") is not a name; names that are also common words (May, Will) pass too:
# a false alarm on ordinary findings costs more.
TITLES = frozenset({"Mr", "Mrs", "Ms", "Mx", "Miss", "mr", "mrs"})
FAMILY_WORDS = frozenset(
    """
    mum mummy mom mother dad daddy father stepmum step-mum stepmother stepdad step-dad stepfather brother brothers
    half-brother stepbrother sister sisters half-sister stepsister sibling siblings twin twins son sons stepson
    daughter daughters stepdaughter nan nana nanna gran granny grandma grandmother grandad granddad grandpa
    grandfather great-grandmother great-grandfather aunt auntie aunty great-aunt uncle great-uncle cousin cousins
    niece nephew husband wife partner boyfriend girlfriend carer
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
# Lower case, capitalised or upper case, never mixed: "NaN" is not a grandmother.
_NAME_LEADS = TITLES | {form for word in FAMILY_WORDS for form in (word, word.capitalize(), word.title(), word.upper())}
_WORD = r"[^\W\d_][\w'\-]*"
PERSON_NAME = re.compile(
    rf"(?P<lead>{_alternation(_NAME_LEADS)})\b(?P<dot>\.)?(?:{_GAP}*[:(]{_GAP}*|{_GAP}+)"
    rf"(?P<name>[^\W\d_a-z][\w'\-]*)(?P<following>(?:{_GAP}+{_WORD}){{0,3}})"
)
COMMON_WORDS = frozenset(
    """
    a about above after again against all also although always am an and another any anyone anything are around as
    asked at attended away back be because been before being below between both brought but by came can cannot
    confirmed contacted could declined did didn't disclosed do does doesn't done down during each either else
    even ever every explained for from further gave get gets getting given go goes going gone got had has have
    having he her here hers herself him himself his how however i if in informed into is isn't it its itself just
    last later least less let like made make many may me might more most moved much must my myself need needs
    neither never new next no nor not now of off often on once one only or other others our out over own please
    rang raised refused remains reported reports said saw say says seen she should since so some still stated
    such than that the their them themselves then there these they this those though through to told too
    under until up upon us very visited was wasn't we went were weren't what when where whether which while who
    whom whose why will with within without would yes yet you your
    monday tuesday wednesday thursday friday saturday sunday january february march april june july august
    september october november december today tomorrow yesterday morning afternoon evening night week weekend
    month year action young people local national
    mum mummy mom mother dad daddy father parent parents brother sister sibling son daughter baby child children
    family families carer carers partner nan gran granny grandma grandmother grandad grandfather aunt uncle
    agencies agency children's protection safeguarding social worker workers work abuse neglect plan plans
    conference conferences core meeting meetings review reviews strategy discussion assessment record records
    early help support services service health care education police probation youth offending mental
    """.split()  # noqa: SIM905
)
# Compared without a final s: "Trusts", "Councils", "Organisations".
ORGANISATION_WORDS = frozenset(
    """
    academy association authority board centre center charity city clinic college committee company constabulary
    council county department district forum foundation group hospital housing hub network nhs office organisation
    organization panel partnership police practice project school service society surgery team trust unit
    university ward
    """.split()  # noqa: SIM905
)


def is_nhs_number(digits: str) -> bool:
    """The NHS number check digit (modulus 11): the weighted sum of the first nine
    digits, weights 10 down to 2, gives the tenth."""
    if len(digits) != 10 or not digits.isdecimal():  # isdigit() would let "²" reach int()
        return False
    total = sum(map(operator.mul, map(int, digits[:9]), range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# Each _has_* reads normalised text.


def _has_nhs_number(text: str) -> bool:
    candidates = {match[0] + match[1] for match in NHS_NUMBER_CANDIDATE.finditer(text)}
    return any(is_nhs_number(candidate.translate(_NOT_DIGITS)) for candidate in candidates)


def _has_date_of_birth(text: str) -> bool:
    return DATE_OF_BIRTH.search(text.lower()) is not None


def _has_phone_number(text: str) -> bool:
    return PHONE_NUMBER.search(text) is not None


def _has_postcode(text: str) -> bool:
    return any(not _ORDINAL_INWARD.fullmatch(match["inward"]) for match in POSTCODE.finditer(text))


def _has_street_address(text: str) -> bool:
    return any(
        match["words"].split()[-1] not in _NOT_STREETS.get(match["street"], ())
        for match in STREET_ADDRESS.finditer(text)
    )


def _is_a_name(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1].islower()


def _has_person_name(text: str) -> bool:
    # Searched afresh from the next character after each candidate, so a rejected one
    # ("Mum Was mum Kelly") cannot hide the next.
    position = 0
    while match := PERSON_NAME.search(text, position):
        position = match.start() + 1
        if match.start() and (text[match.start() - 1].isalnum() or text[match.start() - 1] == "_"):
            continue  # inside a word: "Alison Allen" holds "son Allen"
        name = match["name"].removesuffix("'s")
        if match["lead"] in TITLES:
            named = _is_a_name(name) or (len(name) > 2 and name.isupper())
            if named and (match["lead"] != "Miss" or name.lower() not in COMMON_WORDS):  # "Miss" the verb
                return True
            continue
        if match["dot"] or not _is_a_name(name) or name.lower() in COMMON_WORDS:
            continue  # the end of a sentence, "mum reported", "mum's GP", "Mum Was"
        following = itertools.takewhile(lambda word: word[0].isupper(), match["following"].split())
        words = {word.lower().removesuffix("s") for word in (name, *following)}
        if words.isdisjoint(ORGANISATION_WORDS):
            return True
    return False


def contains_nhs_number(text: str) -> bool:
    return _has_nhs_number(normalise(text))


def contains_date_of_birth(text: str) -> bool:
    return _has_date_of_birth(normalise(text))


# What is looked for, in this order; the first found is the one reported.
IDENTIFYING_DETAILS: tuple[tuple[str, str, Callable[[str], bool]], ...] = (
    ("nhs_number", f"This looks like it contains an NHS number. {IDENTIFYING_DETAILS_HELP}", _has_nhs_number),
    ("date_of_birth", f"This looks like it contains a date of birth. {IDENTIFYING_DETAILS_HELP}", _has_date_of_birth),
    ("phone_number", f"This looks like it contains a phone number. {CONTACT_DETAILS_HELP}", _has_phone_number),
    ("postcode", f"This looks like it contains a postcode. {CONTACT_DETAILS_HELP}", _has_postcode),
    ("street_address", f"This looks like it contains a street address. {CONTACT_DETAILS_HELP}", _has_street_address),
    (
        "person_name",
        f"This looks like it contains a person's name, after a title like Mr or a family word like mum. {NAME_HELP}",
        _has_person_name,
    ),
)


def find_identifying_detail(text: str) -> str | None:
    """The code of the first identifying detail the text seems to hold, or None."""
    normal = normalise(text or "")
    return next((code for code, _message, found in IDENTIFYING_DETAILS if found(normal)), None)


def validate_no_identifying_details(value: str) -> None:
    if not value:
        return
    normal = normalise(value)
    for code, message, found in IDENTIFYING_DETAILS:
        if found(normal):
            raise ValidationError(message, code=code)


def validate_board_reference(value: str) -> None:
    # ASCII only: a year typed in full-width or Arabic-Indic digits must not pass as a second "2010".
    if not re.fullmatch(settings.BOARD_REFERENCE_PATTERN, value or "", flags=re.ASCII):
        raise ValidationError(
            f"Enter a board reference in the form {settings.BOARD_REFERENCE_EXAMPLE}. "
            "Never enter a child's name, NHS number or date of birth.",
            code="board_reference",
        )


BOARD_REFERENCE_IN_TEXT = (
    "This looks like it contains a board reference. Text for the public names no case: "
    "say what was found across the cases instead."
)


def _board_reference_in_text() -> re.Pattern[str]:
    """The board reference pattern, found anywhere in a text (its anchors, if the setting
    has any, dropped), in either case."""
    pattern = settings.BOARD_REFERENCE_PATTERN.removeprefix("^").removeprefix(r"\A")
    pattern = pattern.removesuffix("$").removesuffix(r"\Z")
    return re.compile(pattern, flags=re.ASCII | re.IGNORECASE)


def contains_board_reference(text: str) -> bool:
    """Whether free text holds anything matching the board reference pattern, read on
    the normalised text, so full-width digits or invisible characters hide nothing."""
    return bool(text) and _board_reference_in_text().search(normalise(text)) is not None


def validate_no_board_reference(value: str) -> None:
    """For text that leaves the service for the public, such as a round's learning
    summary: no case may be named, not even by its board reference."""
    if contains_board_reference(value):
        raise ValidationError(BOARD_REFERENCE_IN_TEXT, code="board_reference_in_text")
