"""Hypothesis form fuzzing (SECURITY.md row 17: "errors, never a 500, no invalid row").

Arbitrary submissions go through the real views with the test client, signed in as an
audit team member, for each form that writes case audit data. For every submission:

* the response is never a server error (the test client re-raises any exception, so a
  failure shows its traceback) and is either the form again (200) or a redirect (302);
* a refusal shows the GOV.UK error summary, keeps everything typed into the page's text
  inputs, and leaves the database as it was (every row of the form's tables compared,
  and the audit log's row count, which any write to a case audit table would raise);
* a save leaves only rows that pass ``full_clean()`` and the service's rules: board
  references match ``BOARD_REFERENCE_PATTERN``, no free text holds an NHS number or a
  date of birth, dates are real and within 1900-2100, counts are within their limits,
  no case has more than 20 agency records, only the form's own tables change, and the
  saved values are the ones posted. Fields a form does not offer (``state``,
  ``version``, ``case``, ``raised_by``, ...) change nothing.

Each example runs in a savepoint rolled back afterwards, so every example starts from the
same small ``world`` and before/after comparisons are exact. Submissions per run:
round 200, case 200, grades 170, record 150, feedback 140, escalation 180 (1,040).

The bugs the fuzzing found are fixed; a deterministic test for each, at the end, keeps
them fixed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlencode

import pytest
from auditlog.models import LogEntry
from django import forms
from django.conf import settings as django_settings
from django.db import models, transaction
from django.db.models import Count
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.models import (
    MAX_RECORDS_PER_CASE,
    AuditCase,
    AuditRound,
    CaseRecord,
    ChecklistAnswer,
    ChecklistQuestion,
    Escalation,
    Feedback,
    Grade,
    RecordGrade,
    Theme,
    ThemeRating,
)
from dscb.models import Agency, Role, User
from dscb.validators import contains_date_of_birth, contains_nhs_number
from tests.conftest import Client, make_user, sign_in
from tests.factories import AgencyFactory, AuditCaseFactory, AuditRoundFactory, CaseRecordFactory, police

pytestmark = pytest.mark.django_db


def fuzz(examples: int) -> Callable:
    # derandomize: the same submissions on every run, so CI is repeatable.
    # database=None: no .hypothesis folder in the checkout.
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- The world every example starts from ----------------------------------------------------


class World:
    """What every example starts from. A plain class with a short repr, not a dataclass:
    Hypothesis prints a dataclass field by field, strategies and all, with a failure."""

    client: Client
    user: User  # the audit team member signed in
    auditor: User  # an agency auditor taking part in the round: may audit, may give feedback
    outsider: User  # a board member: neither an auditor nor a feedback giver
    retired_user: User  # a deactivated audit team member
    audit_round: AuditRound  # a planned multi-agency case audit
    inquiry_round: AuditRound  # an Appreciative Inquiry
    case: AuditCase  # a draft case in ``audit_round``, agreed grades on two themes
    other_case: AuditCase  # in the same round; holds ``record``
    record: CaseRecord  # feedback already given to the manager
    round_agencies: list[Agency]
    other_agency: Agency  # active, but not taking part in ``audit_round``
    retired_agency: Agency
    grades: list[Grade]
    retired_grade: Grade
    themes: list[Theme]
    questions: list[ChecklistQuestion]

    def __init__(self, **parts: object) -> None:
        self.__dict__.update(parts)
        self.strategies: dict[Callable, st.SearchStrategy] = {}

    def __repr__(self) -> str:
        return f"World(user={self.user.pk}, case={self.case.pk}, record={self.record.pk})"

    def strategy(self, build: Callable[[World], st.SearchStrategy]) -> st.SearchStrategy:
        """``build(self)``, made once per test: building the strategies afresh for every
        example costs Hypothesis more time than the requests do."""
        if build not in self.strategies:
            self.strategies[build] = build(self)
        return self.strategies[build]


@pytest.fixture
def world(db) -> World:
    user = make_user(Role.AUDIT_TEAM)
    auditor = make_user(Role.AGENCY_AUDITOR)
    audit_round = AuditRoundFactory(auditors=[auditor])
    case = AuditCaseFactory(audit_round=audit_round)
    other_case = AuditCaseFactory(audit_round=audit_round)
    themes = list(Theme.objects.active())
    grades = list(Grade.objects.active())
    for theme, grade in zip(themes[:2], grades, strict=False):
        ThemeRating.objects.create(case=case, theme=theme, grade=grade)
    record = CaseRecordFactory(case=other_case)
    Feedback.objects.create(
        record=record,
        recipient=Feedback.Recipient.MANAGER,
        given_on=datetime.date(2010, 10, 1),
        given_by=user,
        notes="Talked through the findings.",
    )
    round_agencies = list(audit_round.agencies.all())
    return World(
        client=sign_in(Client(), user),
        user=user,
        auditor=auditor,
        outsider=make_user(Role.BOARD_MEMBER),
        retired_user=make_user(Role.AUDIT_TEAM, is_active=False),
        audit_round=audit_round,
        inquiry_round=AuditRoundFactory(kind=AuditRound.Kind.APPRECIATIVE_INQUIRY),
        case=case,
        other_case=other_case,
        record=record,
        round_agencies=round_agencies,
        other_agency=Agency.objects.active().exclude(pk__in=[a.pk for a in round_agencies]).first(),
        retired_agency=AgencyFactory(is_active=False),
        grades=grades,
        retired_grade=Grade.objects.create(label="Retired grade", rank=99, meets_threshold=False, is_active=False),
        themes=themes,
        questions=list(ChecklistQuestion.objects.active().filter(theme__is_active=True)),
    )


class _Undo(Exception):
    pass


@contextmanager
def undone() -> Iterator[None]:
    """Run the block in a savepoint and roll it back, so each example starts afresh."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def pks(objects: list[models.Model]) -> list[str]:
    return [str(obj.pk) for obj in objects]


# --- Values to type --------------------------------------------------------------------------

SENTENCES = [
    "The plan was reviewed on time and the core group met monthly.",
    "Records show good multi-agency working; the GP attended conferences.",
    "Team manager",
    "September 2010 (Integrated Children's Service)",
    "O'Brien & Sons — “quoted” \u2018text\u2019 \u2013 café naïve",
    "Line one\nLine two\r\nLine three",
    "\tTabbed\ttext",
]
HTML_JS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</textarea><script>alert(1)</script>",
    "<b>bold</b> &amp; &lt;",
    "javascript:alert(document.cookie)",
    "{{ request.user.password }}",
    "{% debug %}",
    "<!-- -->",
    "${7*7}",
]
SQL = [
    "'; DROP TABLE audits_auditcase; --",
    "1 OR 1=1",
    "' OR ''='",
    '" OR ""="',
    "1; SELECT pg_sleep(5)--",
    "UNION SELECT password FROM dscb_user",
    "%",
    "_",
    "\\",
    "%00",
]
UNICODE = [
    "مرحبا بالعالم",  # Arabic, right to left
    "שלום עולם",  # Hebrew, right to left
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e\u200d",
    "👩‍👩‍👧‍👦",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    "😀",
    "e\u0301",  # combining acute accent
    "Z̴̡̛a̷l̸g̵o̶",
    "a" + "\u0300" * 40,
    "ß ﬃ İ \u0131 Ω",  # change length or letters when upper-cased
    "\ufeffBOM",
    "non\u00a0breaking",
    "全角　スペース",
    "\u0661\u0662\u0663",  # 123 in Arabic-Indic digits
    "\uff11\uff12\uff13",  # 123 in fullwidth digits
    "\U0001d7d9\U0001d7da\U0001d7db",  # 123 in mathematical digits
]
CONTROL = ["\x7f", "\x1b[2J", "\x08", "\x0b", "\x0c", "\u0085", "\u2028", "\r", "\n", "\t", "\x01"]
NUMBERS = [
    "0",
    "1",
    "-1",
    "7",
    "20",
    "21",
    "999",
    "1000",
    "32767",
    "32768",
    str(2**63),
    str(10**30),
    str(-(10**30)),
    "1e3",
    "0x10",
    "1.5",
    "5.0",
    "NaN",
    "Infinity",
    "+5",
    " 7 ",
    "007",
    "\u0663",
    "\uff13",
    "²",
]
NUL_TEXT = ["\x00", "a\x00b", "Findings\x00", "\x00" * 3]
LONG_LENGTHS = [119, 120, 121, 200, 201, 999, 1000, 1001, 1999, 2000, 2001, 4999, 5000, 5001, 12000]


@st.composite
def nhs_like(draw: st.DrawFn) -> str:
    """Ten digits in NHS number groups: usually with a valid check digit, sometimes not."""
    nine = draw(st.lists(st.integers(0, 9), min_size=9, max_size=9))
    check = (11 - sum(d * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11) % 11
    last = check if check != 10 and draw(st.integers(0, 3)) else draw(st.integers(0, 9))
    digits = "".join(map(str, nine)) + str(last)
    sep = draw(st.sampled_from(["", " ", "-"]))
    number = f"{digits[:3]}{sep}{digits[3:6]}{sep}{digits[6:]}"
    return draw(st.sampled_from(["{}", "NHS no. {}", "nhs number: {} (child)", "{}{}"])).format(number, number)


@st.composite
def dob_like(draw: st.DrawFn) -> str:
    day = draw(st.dates(datetime.date(1990, 1, 1), datetime.date(2020, 12, 31)))
    formats = ["%d/%m/%Y", "%d.%m.%y", "%d %B %Y", "%B %d, %Y", "%Y-%m-%d", "%d-%b-%Y"]
    keywords = ["DOB", "d.o.b.", "D.O.B:", "date of birth", "born", "born on", "birthday", "Birth date"]
    return f"{draw(st.sampled_from(keywords))} {day.strftime(draw(st.sampled_from(formats)))}"


LONG_TEXT = st.builds(
    lambda unit, length: unit * length,
    st.sampled_from(["x", "é", "😀", "<", "&", "a\n"]),
    st.sampled_from(LONG_LENGTHS),
)

# Text the service should take (unless, by chance, it is too long or looks identifying):
# sentences, markup and SQL (harmless as data), right to left, emoji, combining marks.
safe_atom = st.one_of(
    st.sampled_from(SENTENCES + HTML_JS + SQL + UNICODE + CONTROL + NUMBERS),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40),
)
safe_text = st.one_of(safe_atom, st.lists(safe_atom, min_size=2, max_size=4).map(" ".join))
# Anything at all, including what the service must refuse.
identifying = st.one_of(nhs_like(), dob_like())
identifying_sentence = st.tuples(safe_atom, identifying, safe_atom).map(" ".join)
wild_atom = st.one_of(safe_atom, st.sampled_from(NUL_TEXT), st.text(max_size=40), identifying, LONG_TEXT)
wild_text = st.one_of(
    st.just(""),
    st.sampled_from([" ", "   ", "\n\n\n", "\t \r\n"]),
    wild_atom,
    identifying_sentence,
    st.lists(wild_atom, min_size=2, max_size=4).map(" ".join),
)


def good_text(max_length: int, *, required: bool = False) -> st.SearchStrategy[str]:
    def acceptable(text: str) -> bool:
        return (
            (bool(text.strip()) or not required)
            and len(text.strip()) <= max_length
            and not contains_nhs_number(text)
            and not contains_date_of_birth(text)
        )

    return safe_text.filter(acceptable)


def wild_or_missing(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """A value, or the field left out of the submission altogether (None)."""
    return st.one_of(st.none(), strategy)


GARBAGE_CHOICES = [
    "",
    "0",
    "-1",
    " 1",
    "1 ",
    "1.0",
    "\u0661",
    "\uff11",
    "abc",
    "\x00",
    "1\x00",
    "null",
    "None",
    "[]",
    "true",
    "1;DROP TABLE x",
    "<script>",
]
HUGE = [str(2**63), str(10**30), str(-(10**30)), str(2**31), str(2**15)]


def wild_choice() -> st.SearchStrategy[str | None]:
    """A radio, select or checkbox value that is probably not one of the choices."""
    options = [
        st.sampled_from(GARBAGE_CHOICES),
        st.integers(-5, 10_000).map(str),
        st.text(max_size=8),
        st.sampled_from(HUGE),
    ]
    return wild_or_missing(st.one_of(*options))


# --- Dates, as three text inputs: name_0 (day), name_1 (month), name_2 (year) ---------------

GOOD_DATES = st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))


@st.composite
def date_parts(draw: st.DrawFn, day: datetime.date) -> tuple[str, str, str]:
    """A real date as typed: perhaps zero-padded or with spaces round it."""
    style = draw(st.sampled_from(["plain", "padded", "spaced"]))
    if style == "padded":
        return (f"{day.day:02d}", f"{day.month:02d}", f"{day.year:04d}")
    if style == "spaced":
        return (f" {day.day} ", f" {day.month}", f"{day.year} ")
    return (str(day.day), str(day.month), str(day.year))


WILD_PART = st.one_of(
    st.sampled_from(
        ["", " ", "0", "00", "32", "13", "29", "31", "-1", "+1", "1.0", "1899", "2101", "9999", "99999", "0000"]
    ),
    st.sampled_from([str(10**30), "\uff11\uff12", "\u0663", "\x00", "1\x00", "abc", "<b>", "1e3", "12\n", "²", "1 2"]),
    st.text(max_size=5),
)


@st.composite
def wild_date_parts(draw: st.DrawFn) -> tuple[str | None, str | None, str | None]:
    kind = draw(st.sampled_from(["parts", "out_of_range", "unreal", "partial"]))
    if kind == "out_of_range":
        day = draw(st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)))
        return (str(day.day), str(day.month), str(day.year))
    if kind == "unreal":
        return (draw(st.sampled_from(["29", "30", "31"])), "2", draw(st.sampled_from(["1900", "2010", "2011", "2100"])))
    if kind == "partial":
        parts = list(draw(date_parts(draw(GOOD_DATES))))
        for index in draw(st.sets(st.integers(0, 2), min_size=1, max_size=2)):
            parts[index] = draw(st.sampled_from(["", None]))
        return tuple(parts)
    return tuple(draw(wild_or_missing(WILD_PART)) for _ in range(3))


def date_inputs(name: str, parts: tuple[str | None, ...]) -> dict[str, str]:
    return {f"{name}_{index}": part for index, part in enumerate(parts) if part is not None}


def date_names(name: str) -> list[str]:
    return [f"{name}_{index}" for index in range(3)]


def posted_date(post: dict, name: str) -> datetime.date | None:
    parts = [str(post.get(part, "")).strip() for part in date_names(name)]
    if not all(parts):
        return None
    return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))


def posted_text(post: dict, name: str) -> str:
    return str(post.get(name, "")).strip()


AS_INT = forms.IntegerField(required=False)  # how Django reads a number as typed


# --- A submission: per field, a valid strategy and a wild one, each giving POST items ---------


class Field(NamedTuple):
    good: st.SearchStrategy[dict]  # valid values
    bad: st.SearchStrategy[dict]  # anything, the field left out included
    sneaky: st.SearchStrategy[dict] | None = None  # valid but for identifying details (text)


def one(name: str, strategy: st.SearchStrategy) -> st.SearchStrategy[dict]:
    return strategy.map(lambda value: {} if value is None else {name: value})


def text_field(name: str, max_length: int, *, required: bool = False) -> Field:
    good = one(name, good_text(max_length, required=required))
    return Field(good, one(name, wild_or_missing(wild_text)), st.one_of(good, one(name, identifying_sentence)))


def date_field(name: str) -> Field:
    return Field(
        GOOD_DATES.flatmap(date_parts).map(lambda parts: date_inputs(name, parts)),
        wild_date_parts().map(lambda parts: date_inputs(name, parts)),
    )


def choice_field(name: str, values: list[str], *, wild: list[str] = ()) -> Field:
    bad = st.one_of(wild_choice(), st.sampled_from(wild)) if wild else wild_choice()
    return Field(one(name, st.sampled_from(values)), one(name, bad))


def checkbox_field(name: str, values: list[str], *, wild: list[str] = ()) -> Field:
    good = st.lists(st.sampled_from(values), min_size=1, max_size=len(values), unique=True)
    odd = st.one_of(st.sampled_from([*values, *wild]), wild_choice().filter(lambda value: value is not None))
    return Field(
        good.map(lambda chosen: {name: chosen}), st.lists(odd, max_size=4).map(lambda c: {name: c} if c else {})
    )


def count_field(name: str, low: int, high: int) -> Field:
    good = st.integers(low, high).map(str)
    bad = wild_or_missing(st.one_of(st.sampled_from(NUMBERS), st.integers(-(10**6), 10**6).map(str), wild_text))
    return Field(one(name, good), one(name, bad))


def merged(*strategies: st.SearchStrategy[dict]) -> st.SearchStrategy[dict]:
    return st.tuples(*strategies).map(lambda parts: {k: v for part in parts for k, v in part.items()})


@st.composite
def extra_fields(draw: st.DrawFn, known: dict[str, st.SearchStrategy], real: set[str]) -> dict[str, object]:
    """Fields the form does not offer: known dangerous ones, and made-up names."""
    extras = {name: draw(known[name]) for name in sorted(draw(st.sets(st.sampled_from(sorted(known)))))}
    made_up = st.from_regex(r"[a-z][a-z0-9_\-]{0,15}", fullmatch=True).filter(lambda name: name not in real)
    for name in draw(st.lists(made_up, max_size=2, unique=True)):
        extras[name] = draw(wild_text)
    return extras


ENCODING = st.sampled_from(["urlencoded", "multipart"])


@st.composite
def submission(
    draw: st.DrawFn, fields: dict[str, Field], known: dict[str, st.SearchStrategy], real: set[str]
) -> tuple[dict[str, object], str]:
    """One POST and its encoding: every field valid; every field valid but free text that
    may hold identifying details; one field wild (the likeliest way for a bad value to
    reach a save); a few fields wild; or every field wild. Then fields the form lacks."""
    mode = draw(st.sampled_from(["valid", "valid", "sneaky", "one", "one", "some", "chaos"]))
    if mode == "sneaky":
        post = {}
        for good, _, *sneaky in fields.values():
            post.update(draw(sneaky[0] if sneaky and sneaky[0] is not None else good))
        post.update(draw(extra_fields(known, real)))
        return post, draw(ENCODING)
    if mode == "valid":
        wild = set()
    elif mode == "one":
        wild = {draw(st.sampled_from(sorted(fields)))}
    elif mode == "some":
        wild = draw(st.sets(st.sampled_from(sorted(fields)), min_size=2, max_size=4))
    else:
        wild = set(fields)
    post: dict[str, object] = {}
    for name, (good, bad, *_) in fields.items():
        post.update(draw(bad if name in wild else good))
    post.update(draw(extra_fields(known, real)))
    return post, draw(ENCODING)


# --- Posting and checking --------------------------------------------------------------------


def post_form(client: Client, url: str, post: dict[str, object], encoding: str) -> HttpResponse:
    if encoding == "urlencoded":  # what a browser sends for these forms
        return client.post(url, urlencode(post, doseq=True), content_type="application/x-www-form-urlencoded")
    return client.post(url, post)  # multipart/form-data


@dataclass(frozen=True)
class Snapshot:
    rows: dict[type[models.Model], dict[int, tuple]]
    log_entries: int


def snapshot(tracked: list[type[models.Model]]) -> Snapshot:
    return Snapshot(
        rows={model: {row[0]: row for row in model.objects.order_by("pk").values_list()} for model in tracked},
        # Changes only: a form shown again with its errors records a read of the case.
        log_entries=LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count(),
    )


@dataclass
class Changes:
    new: dict[type[models.Model], set[int]]
    changed: dict[type[models.Model], set[int]]
    deleted: dict[type[models.Model], set[int]]

    def models(self) -> set[type[models.Model]]:
        return {model for part in (self.new, self.changed, self.deleted) for model, rows in part.items() if rows}

    def new_rows(self, model: type[models.Model]) -> list[models.Model]:
        return list(model.objects.filter(pk__in=self.new[model]))


def changes_between(before: Snapshot, after: Snapshot) -> Changes:
    new, changed, deleted = {}, {}, {}
    for model, old in before.rows.items():
        now = after.rows[model]
        new[model] = set(now) - set(old)
        deleted[model] = set(old) - set(now)
        changed[model] = {pk for pk in set(now) & set(old) if now[pk] != old[pk]}
    return Changes(new, changed, deleted)


def assert_refused(response: HttpResponse, post: dict, typed: list[str]) -> None:
    """The form came back with the error summary and with everything typed."""
    html = response.content.decode()
    form = response.context["form"]
    if not post:
        # The views build their forms from ``request.POST or None``: a POST with no fields
        # at all (never sent by a browser, which always sends the CSRF token and the text
        # inputs) is answered like a GET, with a blank form and no errors.
        assert not form.is_bound
        return
    assert "govuk-error-summary" in html
    assert form.errors
    # Each refusal says why in the summary. One exception: an error on the hidden
    # ``version`` field alone (reachable only by tampering) has no entry there.
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert "<li>" in summary or set(form.errors) == {"version"}, form.errors
    for name in typed:
        value = post.get(name)
        # Exclusion: a whitespace-only value. It is blank once cleaned (Django strips
        # text), and crispy-forms collapses runs of 3+ whitespace characters between tags,
        # which is exactly where an all-whitespace textarea value sits. Everything else,
        # leading and trailing spaces, NUL and other controls included, is shown again
        # exactly as typed: the form re-renders the raw POST data, not the cleaned value.
        if isinstance(value, str) and value.strip():
            assert escape(value) in html, f"{name}={value!r} was lost from the page"


def assert_rules(changes: Changes, allowed: set[type[models.Model]]) -> None:
    """Every row written is valid, and only the form's own tables were touched."""
    assert changes.models() <= allowed, f"unexpected tables changed: {changes.models() - allowed}"
    assert {model for model, rows in changes.deleted.items() if rows} <= {ThemeRating, RecordGrade, ChecklistAnswer}
    for model in changes.models():
        for obj in model.objects.filter(pk__in=changes.new[model] | changes.changed[model]):
            obj.full_clean()
            for model_field in obj._meta.concrete_fields:
                value = getattr(obj, model_field.attname)
                if isinstance(model_field, models.DateField) and not isinstance(model_field, models.DateTimeField):
                    assert value is None or 1900 <= value.year <= 2100, (model_field, value)
                if isinstance(model_field, models.PositiveSmallIntegerField | models.PositiveIntegerField):
                    assert value >= 0
                if not isinstance(value, str):
                    continue
                assert "\x00" not in value
                assert model_field.max_length is None or len(value) <= model_field.max_length, model_field
                assert not contains_nhs_number(value), (model_field, value)
                assert not contains_date_of_birth(value), (model_field, value)
    for reference in AuditCase.objects.values_list("reference", flat=True):
        assert re.fullmatch(django_settings.BOARD_REFERENCE_PATTERN, reference), reference
    per_case = CaseRecord.objects.values("case").annotate(n=Count("pk")).order_by("-n")
    assert max(per_case.values_list("n", flat=True), default=0) <= MAX_RECORDS_PER_CASE


def submit(
    world: World, url: str, post: dict, encoding: str, *, typed: list[str], tracked: list[type[models.Model]]
) -> tuple[HttpResponse, Changes | None]:
    """POST; check the response; if refused, check nothing changed; if saved, return what did."""
    before = snapshot(tracked)
    response = post_form(world.client, url, post, encoding)
    assert response.status_code < 500
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert_refused(response, post, typed)
        assert snapshot(tracked) == before, "a refused form changed the database"
        return response, None
    return response, changes_between(before, snapshot(tracked))


# --- Plan a round ----------------------------------------------------------------------------

ROUND_TABLES = [AuditRound, AuditRound.agencies.through, AuditRound.auditors.through]


def round_submissions(world: World) -> st.SearchStrategy:
    people = pks([world.user, world.auditor])
    good_auditors = checkbox_field("auditors", people).good
    fields = {
        "title": Field(
            one("title", st.one_of(good_text(120, required=True), st.integers().map("Round {}".format))),
            one("title", wild_or_missing(st.one_of(wild_text, st.just(world.audit_round.title)))),
            one("title", identifying_sentence),
        ),
        "held_on": date_field("held_on"),
        "kind": choice_field("kind", AuditRound.Kind.values),
        "focus": text_field("focus", 2000),
        "agencies": checkbox_field("agencies", pks(Agency.objects.active()), wild=pks([world.retired_agency])),
        "auditors": (
            st.one_of(st.just({}), good_auditors),
            checkbox_field("auditors", people, wild=pks([world.outsider, world.retired_user])).bad,
        ),
    }
    real = {"title", *date_names("held_on"), "kind", "focus", "agencies", "auditors", "version"}
    known = {
        "state": st.sampled_from(AuditRound.State.values),
        "version": st.sampled_from(["999", "0", "-1", "abc"]),
        "id": st.just(str(world.audit_round.pk)),
        "updated_by": st.just(str(world.outsider.pk)),
        "updated_at": st.just("2000-01-01 00:00"),
    }
    return submission(fields, known, real)


@fuzz(200)
@given(data=st.data())
def test_round_create_fuzz(world: World, data: st.DataObject) -> None:
    post, encoding = data.draw(world.strategy(round_submissions), label="submission")
    typed = ["title", "focus", *date_names("held_on")]
    with undone():
        url = reverse("audits:round_create")
        response, changes = submit(world, url, post, encoding, typed=typed, tracked=ROUND_TABLES)
        if changes is None:
            return
        assert_rules(changes, set(ROUND_TABLES))
        [audit_round] = changes.new_rows(AuditRound)
        assert response["Location"] == reverse("audits:round_detail", args=[audit_round.pk])
        assert not changes.changed[AuditRound]
        assert audit_round.title == posted_text(post, "title")
        assert audit_round.held_on == posted_date(post, "held_on")
        assert audit_round.kind == post["kind"]
        assert audit_round.focus == posted_text(post, "focus")
        assert (audit_round.state, audit_round.version) == (AuditRound.State.PLANNED, 1)
        assert audit_round.updated_by == world.user
        agencies = set(audit_round.agencies.values_list("pk", flat=True))
        assert agencies == {int(pk) for pk in post["agencies"]}
        assert agencies <= set(Agency.objects.active().values_list("pk", flat=True))
        auditors = set(audit_round.auditors.values_list("pk", flat=True))
        assert auditors == {int(pk) for pk in post.get("auditors", [])}
        assert auditors <= {world.user.pk, world.auditor.pk}


# --- Add a case ------------------------------------------------------------------------------


@st.composite
def board_reference(draw: st.DrawFn) -> str:
    """A well-formed board reference (other digits: see test_board_reference_with_*),
    perhaps typed in lower case or with spaces round it."""
    letters = draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=10))
    digits = [draw(st.text("0123456789", min_size=low, max_size=high)) for low, high in ((4, 4), (2, 2), (2, 3))]
    reference = "-".join([letters, *digits])
    if draw(st.booleans()):
        reference = reference.lower()
    return draw(st.sampled_from(["{}", " {} ", "{}\n"])).format(reference)


WILD_REFERENCES = [
    "MACA-2010-09",
    "MACA-2010-09-0001",
    "A-2010-09-01",
    "ABCDEFGHIJK-2010-09-01",
    "MACA 2010 09 01",
    "MACA_2010_09_01",
    "MACA-2010-09-01\x00",
    "MACA-2010-09-01-",
    "943 476 5919",
    "Jane Smith",
    "DOB 01/02/2015",
]
CATEGORIES = ["neglect", "physical", "emotional", "sexual"]


def case_submissions(world: World) -> st.SearchStrategy:
    def for_round(audit_round: AuditRound) -> st.SearchStrategy:
        inquiry = audit_round.is_appreciative_inquiry
        other_round = world.audit_round if inquiry else world.inquiry_round
        fields = {
            "reference": (
                one("reference", board_reference()),
                one(
                    "reference",
                    wild_or_missing(st.one_of(wild_text, st.sampled_from([*WILD_REFERENCES, world.case.reference]))),
                ),
            ),
            "categories": checkbox_field("categories", CATEGORIES, wild=["Neglect", "other", "category_neglect"]),
            "plan_started_on": date_field("plan_started_on"),
            "sibling_records_read": count_field("sibling_records_read", 0, MAX_RECORDS_PER_CASE),
            "parent_records_read": count_field("parent_records_read", 0, MAX_RECORDS_PER_CASE),
        }
        known = {
            "state": st.just(AuditCase.State.FINALISED),
            "version": st.sampled_from(["999", "0", "-5", str(10**30), "x"]),
            "overall_grade": st.sampled_from(pks(world.grades)),
            "findings": good_text(5000, required=True),
            "strengths": good_text(5000, required=True),
            "audit_round": st.just(str(other_round.pk)),
            "audit_round_id": st.just(str(other_round.pk)),
            "category_sexual": st.sampled_from(["on", "True"]),
            "updated_by": st.just(str(world.outsider.pk)),
        }
        if inquiry:
            fields["seen_as_stuck"] = choice_field("seen_as_stuck", ["yes", "no", ""], wild=["Yes", "true", "1"])
            fields["what_is_working"] = text_field("what_is_working", 5000)
            fields["desired_outcomes"] = text_field("desired_outcomes", 5000)
        else:  # Fields an Appreciative Inquiry has, and a case audit does not.
            known["seen_as_stuck"] = st.just("yes")
            known["what_is_working"] = good_text(5000, required=True)
            known["desired_outcomes"] = good_text(5000, required=True)
        real = {*fields, *date_names("plan_started_on"), "version"}
        return st.tuples(st.just(audit_round), submission(fields, known, real))

    return st.one_of(for_round(world.audit_round), for_round(world.inquiry_round))


@fuzz(200)
@given(data=st.data())
def test_case_create_fuzz(world: World, data: st.DataObject) -> None:
    audit_round, (post, encoding) = data.draw(world.strategy(case_submissions), label="submission")
    inquiry = audit_round.is_appreciative_inquiry
    typed = ["reference", *date_names("plan_started_on"), "sibling_records_read", "parent_records_read"]
    if inquiry:
        typed += ["what_is_working", "desired_outcomes"]
    with undone():
        round_before = AuditRound.objects.get(pk=audit_round.pk)
        url = reverse("audits:case_create", args=[audit_round.pk])
        response, changes = submit(world, url, post, encoding, typed=typed, tracked=[AuditRound, AuditCase])
        if changes is None:
            return
        assert_rules(changes, {AuditCase, AuditRound})
        [case] = changes.new_rows(AuditCase)
        assert response["Location"] == reverse("audits:case_detail", args=[case.pk])
        assert not changes.changed[AuditCase]
        # Nothing about the round changes.
        assert not changes.changed[AuditRound]
        round_after = AuditRound.objects.get(pk=audit_round.pk)
        for name in ("title", "held_on", "kind", "focus", "state", "version", "updated_at", "updated_by_id"):
            assert getattr(round_after, name) == getattr(round_before, name), name
        assert case.audit_round_id == audit_round.pk
        assert case.reference == posted_text(post, "reference").upper()
        chosen = set(post["categories"])
        assert chosen
        assert chosen <= set(CATEGORIES)
        for key in CATEGORIES:
            assert getattr(case, f"category_{key}") is (key in chosen), key
        assert case.plan_started_on == posted_date(post, "plan_started_on")
        assert case.sibling_records_read == (AS_INT.clean(post.get("sibling_records_read")) or 0)
        assert case.parent_records_read == (AS_INT.clean(post.get("parent_records_read")) or 0)
        assert 0 <= case.sibling_records_read <= MAX_RECORDS_PER_CASE
        assert 0 <= case.parent_records_read <= MAX_RECORDS_PER_CASE
        # Nothing the add-case form does not offer is taken from the submission.
        assert (case.state, case.version, case.updated_by) == (AuditCase.State.DRAFT, 1, world.user)
        assert case.overall_grade_id is None
        assert (case.findings, case.strengths, case.areas_for_development) == ("", "", "")
        if inquiry:
            stuck = post.get("seen_as_stuck")
            assert case.seen_as_stuck == ({"yes": True, "no": False}[stuck] if stuck else None)
            assert case.what_is_working == posted_text(post, "what_is_working")
            assert case.desired_outcomes == posted_text(post, "desired_outcomes")
        else:
            assert (case.seen_as_stuck, case.what_is_working, case.desired_outcomes) == (None, "", "")


# --- Agree the grades ------------------------------------------------------------------------


def grade_field(name: str, world: World) -> Field:
    """A grade radio: a grade shown, blank, or anything else (a retired grade included)."""
    return choice_field(name, [*pks(world.grades), ""], wild=pks([world.retired_grade]))


def grades_submissions(world: World) -> st.SearchStrategy:
    fields = {f"theme_{theme.pk}": grade_field(f"theme_{theme.pk}", world) for theme in world.themes}
    fields |= {
        "overall_grade": grade_field("overall_grade", world),
        "findings": text_field("findings", 5000),
        "strengths": text_field("strengths", 5000),
        "areas_for_development": text_field("areas_for_development", 5000),
        "version": (
            one("version", st.just(str(world.case.version))),
            one("version", wild_or_missing(st.sampled_from(["2", "0", "-1", "abc", "1.5", str(10**30), "", "\x00"]))),
        ),
    }
    known = {
        "state": st.just(AuditCase.State.FINALISED),
        "reference": st.just("ZZ-2099-12-99"),
        "plan_started_on_0": st.just("1"),
        "category_neglect": st.just("False"),
        "categories": st.just("sexual"),
        "audit_round": st.just(str(world.inquiry_round.pk)),
        "sibling_records_read": st.just("20"),
        "updated_by": st.just(str(world.outsider.pk)),
    }
    return submission(fields, known, set(fields))


CASE_FIELDS_NOT_GRADED = [
    "reference",
    "state",
    "audit_round_id",
    "plan_started_on",
    "category_neglect",
    "category_physical",
    "category_emotional",
    "category_sexual",
    "sibling_records_read",
    "parent_records_read",
    "seen_as_stuck",
    "what_is_working",
    "desired_outcomes",
]


@fuzz(170)
@given(data=st.data())
def test_case_grades_fuzz(world: World, data: st.DataObject) -> None:
    post, encoding = data.draw(world.strategy(grades_submissions), label="submission")
    case = world.case
    with undone():
        before = AuditCase.objects.get(pk=case.pk)
        url = reverse("audits:case_grades", args=[case.pk])
        typed = ["findings", "strengths", "areas_for_development"]
        response, changes = submit(world, url, post, encoding, typed=typed, tracked=[AuditCase, ThemeRating])
        if changes is None:
            return
        assert_rules(changes, {AuditCase, ThemeRating})
        assert response["Location"] == reverse("audits:case_detail", args=[case.pk])
        assert changes.changed[AuditCase] == {case.pk}
        after = AuditCase.objects.get(pk=case.pk)
        assert (after.version, after.updated_by) == (before.version + 1, world.user)
        assert after.overall_grade_id == (int(post["overall_grade"]) if post.get("overall_grade") else None)
        for name in ("findings", "strengths", "areas_for_development"):
            assert getattr(after, name) == posted_text(post, name)
        for name in CASE_FIELDS_NOT_GRADED:
            assert getattr(after, name) == getattr(before, name), name
        ratings = dict(ThemeRating.objects.filter(case=case).values_list("theme_id", "grade_id"))
        posted = {theme.pk: post.get(f"theme_{theme.pk}") for theme in world.themes}
        assert ratings == {theme_id: int(grade) for theme_id, grade in posted.items() if grade}
        assert set(ratings.values()) <= {grade.pk for grade in world.grades}


# --- Add an agency record --------------------------------------------------------------------


def record_submissions(world: World) -> st.SearchStrategy:
    fields = {
        "agency": choice_field(
            "agency", pks(world.round_agencies), wild=pks([world.other_agency, world.retired_agency])
        ),
        "subject": choice_field("subject", CaseRecord.Subject.values, wild=["Child", "child ", "everyone"]),
        "records_read": count_field("records_read", 1, 999),
        "findings": text_field("findings", 5000),
        "strengths": text_field("strengths", 5000),
        "areas_for_development": text_field("areas_for_development", 5000),
    }
    for theme in world.themes:
        fields[f"grade_{theme.pk}"] = grade_field(f"grade_{theme.pk}", world)
    for question in world.questions:
        answers = [*ChecklistAnswer.Answer.values, ""]
        fields[f"answer_{question.pk}"] = choice_field(f"answer_{question.pk}", answers, wild=["YES", "maybe", "n/a"])
        fields[f"comment_{question.pk}"] = text_field(f"comment_{question.pk}", 1000)
    known = {
        "case": st.just(str(world.other_case.pk)),
        "case_id": st.just(str(world.other_case.pk)),
        "version": st.sampled_from(["999", "-1", "x"]),
        "state": st.just("finalised"),
        "updated_by": st.just(str(world.outsider.pk)),
        # A question and a theme that do not exist.
        f"answer_{max(q.pk for q in world.questions) + 1}": st.just("yes"),
        f"grade_{max(t.pk for t in world.themes) + 1}": st.just(str(world.grades[0].pk)),
    }
    existing = st.sampled_from([0, 1, MAX_RECORDS_PER_CASE - 1, MAX_RECORDS_PER_CASE])
    return st.tuples(existing, submission(fields, known, {*fields, "version"}))


def prefill_records(case: AuditCase, count: int) -> None:
    """Give ``case`` ``count`` agency records, straight into the database."""
    CaseRecord.objects.bulk_create(
        CaseRecord(case=case, agency=police(), subject=CaseRecord.Subject.SIBLING) for _ in range(count)
    )


RECORD_TABLES = [CaseRecord, RecordGrade, ChecklistAnswer, AuditCase]


@fuzz(150)
@given(data=st.data())
def test_record_create_fuzz(world: World, data: st.DataObject) -> None:
    existing, (post, encoding) = data.draw(world.strategy(record_submissions), label="submission")
    case = world.case
    typed = ["records_read", "findings", "strengths", "areas_for_development"]
    typed += [f"comment_{question.pk}" for question in world.questions]
    with undone():
        prefill_records(case, existing)
        url = reverse("audits:record_create", args=[case.pk])
        response, changes = submit(world, url, post, encoding, typed=typed, tracked=RECORD_TABLES)
        if changes is None:
            return
        assert existing < MAX_RECORDS_PER_CASE
        assert_rules(changes, {CaseRecord, RecordGrade, ChecklistAnswer})
        assert not any(changes.changed.values())
        assert response["Location"] == reverse("audits:case_detail", args=[case.pk])
        [record] = changes.new_rows(CaseRecord)
        assert record.case_id == case.pk
        assert record.agency_id == int(post["agency"])
        assert record.agency_id in {agency.pk for agency in world.round_agencies}
        assert record.subject == post["subject"]
        assert record.records_read == AS_INT.clean(post.get("records_read"))
        assert 1 <= record.records_read <= 999
        assert (record.version, record.updated_by) == (1, world.user)
        for name in ("findings", "strengths", "areas_for_development"):
            assert getattr(record, name) == posted_text(post, name)
        grades = dict(record.grades.values_list("theme_id", "grade_id"))
        posted = {theme.pk: post.get(f"grade_{theme.pk}") for theme in world.themes}
        assert grades == {theme_id: int(grade) for theme_id, grade in posted.items() if grade}
        saved = {answer.question_id: (answer.answer, answer.comment) for answer in record.answers.all()}
        # A comment without an answer is refused (test_checklist_comment_without_* below).
        assert saved == {
            q.pk: (post[f"answer_{q.pk}"], posted_text(post, f"comment_{q.pk}"))
            for q in world.questions
            if post.get(f"answer_{q.pk}")
        }


# --- Feedback given --------------------------------------------------------------------------


def feedback_submissions(world: World) -> st.SearchStrategy:
    givers = pks([world.user, world.auditor])
    fields = {}
    for recipient in Feedback.Recipient.values:
        given_on = date_field(f"{recipient}_given_on")
        given_by = choice_field(f"{recipient}_given_by", givers, wild=pks([world.outsider, world.retired_user]))
        notes = text_field(f"{recipient}_notes", 2000)
        given = merged(given_on.good, given_by.good, notes.good)
        sneaky = merged(given_on.good, given_by.good, notes.sneaky)
        if recipient != Feedback.Recipient.MANAGER:
            given = st.one_of(given, st.just({}))  # not given yet: leaving them out is valid
        wild = merged(*(st.one_of(part.good, part.bad) for part in (given_on, given_by, notes)))
        fields[recipient] = Field(given, wild, sneaky)
        # The version each recipient's feedback had when the page was opened (0: none yet).
        version = "1" if recipient == Feedback.Recipient.MANAGER else "0"
        fields[f"{recipient}_version"] = Field(
            one(f"{recipient}_version", st.just(version)),
            one(f"{recipient}_version", st.one_of(st.just(version), wild_or_missing(wild_text))),
        )
    real = {
        name
        for recipient in Feedback.Recipient.values
        for name in (
            *date_names(f"{recipient}_given_on"),
            f"{recipient}_given_by",
            f"{recipient}_notes",
            f"{recipient}_version",
        )
    }
    known = {
        "record": st.just(str(world.other_case.pk)),
        "recipient": st.sampled_from(Feedback.Recipient.values),
        "given_by": st.just(str(world.outsider.pk)),
        "given_on_0": st.just("1"),
        "notes": wild_text,
        "version": st.just("999"),
    }
    return submission(fields, known, real)


@fuzz(140)
@given(data=st.data())
def test_record_feedback_fuzz(world: World, data: st.DataObject) -> None:
    post, encoding = data.draw(world.strategy(feedback_submissions), label="submission")
    record = world.record
    typed = [
        name
        for recipient in Feedback.Recipient.values
        for name in (*date_names(f"{recipient}_given_on"), f"{recipient}_notes")
    ]
    with undone():
        before = {f.recipient: (f.given_on, f.given_by_id, f.notes) for f in Feedback.objects.filter(record=record)}
        url = reverse("audits:record_feedback", args=[record.pk])
        response, changes = submit(world, url, post, encoding, typed=typed, tracked=[Feedback])
        if changes is None:
            return
        assert_rules(changes, {Feedback})
        assert response["Location"] == reverse("audits:case_detail", args=[record.case_id])
        assert not Feedback.objects.exclude(record=record).exists()
        after = {f.recipient: (f.given_on, f.given_by_id, f.notes) for f in Feedback.objects.filter(record=record)}
        for recipient in Feedback.Recipient.values:
            given_on = posted_date(post, f"{recipient}_given_on")
            if given_on is None:
                # No whole date typed: what was recorded before stays as it was (a part
                # date is ignored: test_feedback_part_of_a_date_* below).
                assert after.get(recipient) == before.get(recipient)
                continue
            saved_on, saved_by, notes = after[recipient]
            assert saved_on == given_on
            assert str(saved_by) == post[f"{recipient}_given_by"]
            assert saved_by in {world.user.pk, world.auditor.pk}
            assert notes == posted_text(post, f"{recipient}_notes")


# --- Request immediate intervention ----------------------------------------------------------


@st.composite
def escalation_dates(draw: st.DrawFn) -> dict[str, str]:
    raised = draw(GOOD_DATES)
    due = raised + datetime.timedelta(days=draw(st.integers(0, 60)))
    if due.year > 2100:
        due = raised
    return date_inputs("raised_on", draw(date_parts(raised))) | date_inputs("due_by", draw(date_parts(due)))


@st.composite
def wild_escalation_dates(draw: st.DrawFn) -> dict[str, str]:
    if draw(st.booleans()):  # real dates, due before raised
        due = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 30)))
        raised = due + datetime.timedelta(days=draw(st.integers(1, 400)))
        raised_parts, due_parts = draw(date_parts(min(raised, datetime.date(2100, 12, 31)))), draw(date_parts(due))
    else:
        raised_parts, due_parts = draw(wild_date_parts()), draw(wild_date_parts())
    return date_inputs("raised_on", raised_parts) | date_inputs("due_by", due_parts)


def escalation_submissions(world: World) -> st.SearchStrategy:
    fields = {
        "dates": (escalation_dates(), wild_escalation_dates()),
        "to_agency": choice_field(
            "to_agency", pks(world.round_agencies), wild=pks([world.other_agency, world.retired_agency])
        ),
        "to_role": text_field("to_role", 120, required=True),
        "reason": text_field("reason", 5000, required=True),
    }
    real = {*date_names("raised_on"), *date_names("due_by"), "to_agency", "to_role", "reason", "version"}
    known = {
        # Fields shown when changing a request, never when raising one.
        "acknowledged_on_0": st.just("1"),
        "acknowledged_on_1": st.just("1"),
        "acknowledged_on_2": st.just("2011"),
        "resolved_on_0": st.just("2"),
        "resolved_on_1": st.just("1"),
        "resolved_on_2": st.just("2011"),
        "action_taken": good_text(5000, required=True),
        "outcome": good_text(5000, required=True),
        # Not fields at all.
        "raised_by": st.just(str(world.outsider.pk)),
        "case": st.just(str(world.other_case.pk)),
        "version": st.sampled_from(["999", "abc"]),
        "updated_by": st.just(str(world.outsider.pk)),
    }
    return submission(fields, known, real)


@fuzz(180)
@given(data=st.data())
def test_escalation_create_fuzz(world: World, data: st.DataObject) -> None:
    post, encoding = data.draw(world.strategy(escalation_submissions), label="submission")
    case = world.case
    typed = [*date_names("raised_on"), *date_names("due_by"), "to_role", "reason"]
    with undone():
        url = reverse("audits:escalation_create", args=[case.pk])
        response, changes = submit(world, url, post, encoding, typed=typed, tracked=[Escalation])
        if changes is None:
            return
        assert_rules(changes, {Escalation})
        assert response["Location"] == reverse("audits:case_detail", args=[case.pk])
        [escalation] = changes.new_rows(Escalation)
        assert escalation.case_id == case.pk
        assert (escalation.raised_by, escalation.updated_by, escalation.version) == (world.user, world.user, 1)
        assert escalation.to_agency_id == int(post["to_agency"])
        assert escalation.to_agency_id in {agency.pk for agency in world.round_agencies}
        assert escalation.raised_on == posted_date(post, "raised_on")
        assert escalation.due_by == posted_date(post, "due_by")
        assert escalation.due_by >= escalation.raised_on
        assert escalation.to_role == posted_text(post, "to_role")
        assert escalation.reason == posted_text(post, "reason")
        assert (escalation.acknowledged_on, escalation.resolved_on) == (None, None)
        assert (escalation.action_taken, escalation.outcome) == ("", "")


# --- Bugs the fuzzing found, now fixed: each test keeps it fixed ------------------------------


@pytest.mark.parametrize("value", [str(2**63), str(10**30), str(-(2**63) - 1)])
@pytest.mark.parametrize("name", ["agencies", "auditors", "questions"])
def test_round_checkbox_beyond_64_bits_is_refused(world: World, name: str, value: str) -> None:
    post = {"title": "Round", "held_on_0": "1", "held_on_1": "2", "held_on_2": "2010", "kind": "case_audit"}
    post |= {"agencies": [str(police().pk)], name: [value]}
    response = world.client.post(reverse("audits:round_create"), post)
    assert response.status_code == 200
    assert name in response.context["form"].errors
    assert not AuditRound.objects.filter(title="Round").exists()


@pytest.mark.parametrize(
    "reference",
    [
        "MACA-\u0662\u0660\u0661\u0660-09-003",
        "MACA-\uff12\uff10\uff11\uff10-09-003",
        "MACA-2010-09-\U0001d7d8\U0001d7d8\U0001d7db",
    ],
)
def test_board_reference_with_non_ascii_digits_is_refused(world: World, reference: str) -> None:
    post = {"reference": reference, "categories": ["neglect"], "sibling_records_read": "0"}
    post |= {
        "plan_started_on_0": "1",
        "plan_started_on_1": "2",
        "plan_started_on_2": "2010",
        "parent_records_read": "0",
    }
    response = world.client.post(reverse("audits:case_create", args=[world.audit_round.pk]), post)
    assert response.status_code == 200
    assert "reference" in response.context["form"].errors
    assert not AuditCase.objects.exclude(pk__in=[world.case.pk, world.other_case.pk]).exists()


@pytest.mark.parametrize("title", ["Audit of 943 476 5919", "Child born 01/02/2015"])
def test_round_title_with_identifying_details_is_refused(world: World, title: str) -> None:
    post = {"title": title, "held_on_0": "1", "held_on_1": "2", "held_on_2": "2010", "kind": "case_audit"}
    response = world.client.post(reverse("audits:round_create"), post | {"agencies": [str(police().pk)]})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not AuditRound.objects.filter(title=title).exists()


@pytest.mark.parametrize("parts", [("12", "3", ""), ("12", "", "2011"), ("", "3", "2011"), ("12", "", "")])
def test_feedback_part_of_a_date_is_refused(world: World, parts: tuple[str, str, str]) -> None:
    post = (
        date_inputs("practitioner_given_on", parts)
        | {"practitioner_notes": "Discussed the findings."}
        | {f"{recipient}_version": "1" if recipient == "manager" else "0" for recipient in Feedback.Recipient.values}
    )
    before = Feedback.objects.count()
    response = world.client.post(reverse("audits:record_feedback", args=[world.record.pk]), post)
    assert Feedback.objects.count() == before
    assert response.status_code == 200
    assert "practitioner_given_on" in response.context["form"].errors


def test_checklist_comment_without_an_answer_is_kept_or_refused(world: World) -> None:
    question = world.questions[0]
    post = {"agency": str(police().pk), "subject": "child", "records_read": "1"}
    post[f"comment_{question.pk}"] = "Chronology is two years out of date."
    response = world.client.post(reverse("audits:record_create", args=[world.case.pk]), post)
    kept = ChecklistAnswer.objects.filter(comment="Chronology is two years out of date.").exists()
    refused = response.status_code == 200 and f"answer_{question.pk}" in response.context["form"].errors
    assert kept or refused
