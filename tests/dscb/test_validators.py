"""Board references only: free text that holds an NHS number, a date of birth, a phone
number, a postcode, a street address or a person's name is refused (SECURITY.md row 18)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audits import demo as audits_demo
from dscb.validators import (
    contains_date_of_birth,
    contains_nhs_number,
    find_identifying_detail,
    is_nhs_number,
    normalise,
    validate_board_reference,
    validate_no_board_reference,
    validate_no_identifying_details,
)
from recommendations.seed_plan import HEADER, SECTIONS


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9990000018"])
def test_valid_nhs_numbers_pass_the_modulus_11_check(number):
    assert is_nhs_number(number)


@pytest.mark.parametrize(
    "number", ["9434765918", "1234567890", "943476591", "94347659190", "abcdefghij", "\u00b2" * 10]
)
def test_numbers_failing_the_check_are_not_nhs_numbers(number):
    assert not is_nhs_number(number)


@pytest.mark.parametrize(
    "text",
    [
        "NHS 943 476 5919",
        "nhs no: 943-476-5919",
        "9434765919 seen by GP",
        "ref(9434765919)",
        "943.476.5919",
        "9434 765 919",
        "943 4765 919",
        "943-476 5919",
        "943/476/5919",
        "943 - 476 - 5919",
        "94347 65919",
        "94 34 76 59 19",
        "9 4 3 4 7 6 5 9 1 9",
        "Case 12 943 476 5919",
    ],
)
def test_an_nhs_number_in_free_text_is_found_however_it_is_grouped(text):
    assert contains_nhs_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "Case MACA-2010-09-03 reviewed",
        "MACA-2010-09-03 12 records read",
        "Tel 01392 383000",
        "943 476 5918",
        "94347659190",
        "16 of 20 records",
        "Strategy discussion held on 12/05/2010 14 professionals invited",
    ],
)
def test_ordinary_text_and_other_numbers_are_not_flagged(text):
    assert not contains_nhs_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "DOB 03/04/2008",
        "d.o.b. 3.4.08",
        "Date of birth: 3 April 2008",
        "born on 3rd April 2008",
        "Born 2008-04-03",
        "birthday April 3, 2008",
    ],
)
def test_a_date_of_birth_is_found(text):
    assert contains_date_of_birth(text)


@pytest.mark.parametrize(
    "text",
    ["Strategy discussion held 12/03/2010", "Plan started 3 March 2010", "Born to be wild", "DOB not recorded"],
)
def test_other_dates_are_allowed(text):
    assert not contains_date_of_birth(text)


# --- What the audit team, leads and the Executive write: all of it must be accepted ---------

ORDINARY_TEXT = {
    "core-group-monthly": "The plan was reviewed on time and the core group met monthly.",
    "mum-reported": "Mum reported that the family moved in March 2009.",
    "visit-date": "The health visitor saw the child at home on 3 April 2010.",
    "every-4-weeks": "Core group met every 4 weeks.",
    "strategy-date": "Strategy discussion held on 12/05/2010 with police and health.",
    "plan-started": "Plan started on 4 January 2010.",
    "conference-date": "Initial child protection conference on 03/04/2011.",
    "date-range": "Records reviewed between 01-06-2010 and 30-06-2010.",
    "times": "Core group moved from 09:30 to 14:00 so the GP could attend.",
    "section-11": "Appreciative Inquiry used with District Councils to undertake section 11 self assessment.",
    "section-47": "Section 47 enquiry protocol agreed between EY&F and ICS 3/3/11.",
    "minister": "Visited by Tim Loughton, Children's Minister and Professor Eileen Munro review team.",
    "references": "Case MACA-2010-09-03 reviewed alongside AI-2010-11-01.",
    "reference-and-count": "MACA-2010-09-03 12 records read across 5 agencies.",
    "121a": "Police (121a) record updated and recording content training delivered to all police officers.",
    "4-weekly": "Policy updated and frequency increased to minimum of 4 weekly commenced June 2010.",
    "item-numbers": "See recommendations 2.10 and 4.7 of the action plan.",
    "1st-april": "Full roll out planned from 1st April 2011.",
    "dpt": "Devon Partnership Trust (DPT) updated information on case file to include information about children.",
    "cait": "Co-locate with police Child Abuse Investigation teams (CAIT) from September 2011.",
    "eyf": "MASH in place screening all enquiries to Early Years and Families and Police (121a) notifications.",
    "team-concept": "A multi-agency team concept should be developed for Child Protection.",
    "url-with-date": "http://dscb.info/wp-content/uploads/downloads/2010/07/Golden-Rules-flyer.pdf",
    "url-procedures": "http://www.online-procedures.co.uk/swcpp/contents/managing-individual-cases/resolution/",
    "working-together": "Team discussion on 5.54 Working Together 2006 and 5.56 Working Together 2010.",
    "percent": "90% files audited in September 2010 had evidence of supervision on the file.",
    "five-of-eight": "5 of 8 plans audited in September 2010 were of good standard.",
    "186-trained": "186 practitioners trained in Core Skills.",
    "levels": "Level 3 and 4 training programmes have been reviewed.",
    "working-days": "All Reports to be submitted to the Chair and the family 5 working days prior to the review.",
    "doh-2000": "Framework for Assessment of Children in Need and their Families (DoH 2000).",
    "c4eo": "Partnership learning programme being developed with C4EO working with resistant families.",
    "version": "Version 1.2.3 of the neglect toolkit issued.",
    "anonymised": "Mr X and Mrs Y attended the core group; Mum B did not.",
    "dad-attended": "Dad attended two of the five core groups.",
    "nan-collects": "Nan collects the children from school on Fridays.",
    "mother-and-baby-unit": "Referral to the Mother and Baby Unit was discussed.",
    "missing-full-stop": "Spoke to mum Was told the plan would change.",
    "partner-trust": "Shared with our partner Devon Partnership Trust.",
    "partner-agencies": "Feedback given to Partner Agencies in writing.",
    "sister-organisations": "Learning shared with our sister Organisations in Cornwall.",
    "family-court": "Evidence prepared for 3 Family Court hearings.",
    "safe-place": "Launched 2 Safe Place schemes in Exeter.",
    "dob-not-recorded": "DOB not recorded on the GP file.",
    "born-early": "The baby was born 3 weeks early; the health visitor visited twice.",
    "born-before": "Both children were born before the family moved to Devon in 2008.",
    "unborn": "Unborn baby: pre-birth conference on 3 April 2010.",
    "birthday-cards": "Birthday cards from the grandparents were seen on 3 April 2010.",
    "helplines": "Leaflet gives the NSPCC helpline 0808 800 5000 and Childline 0800 1111.",
    "council-0345": "Referrals through the MASH on 0345 155 1071.",
    "failed-check": "Case file 943 476 5918 closed.",
    "eleven-digits": "Archive box 94347659190.",
    "ordinal": "Meeting in room b3 8th floor.",
    "right-to-left": "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "markup": "<b>bold</b> &amp; &lt;",
}


@pytest.mark.parametrize("text", ORDINARY_TEXT.values(), ids=ORDINARY_TEXT.keys())
def test_ordinary_findings_recommendations_and_evidence_are_accepted(text):
    validate_no_identifying_details(text)
    assert find_identifying_detail(text) is None


def test_every_text_of_the_seed_report_and_the_demo_audits_is_accepted():
    texts = [value for value in HEADER.values() if isinstance(value, str)]
    for section in SECTIONS:
        texts.append(section.title)
        for recommendation in section.recommendations:
            texts += [recommendation.text, *recommendation.evidence]
    texts += [demo_round.title for demo_round in audits_demo.ROUNDS]
    texts += [demo_round.focus for demo_round in audits_demo.ROUNDS]
    texts += audits_demo.FINDINGS.values()
    assert len(texts) > 100
    assert [text for text in texts if find_identifying_detail(text)] == []


# --- What identifies someone: all of it must be refused, each with its own reason -----------

IDENTIFYING_TEXT = {
    "nhs-3-3-4": ("Child's NHS number 943 476 5919", "nhs_number"),
    "nhs-run-together": ("9434765919 seen by GP", "nhs_number"),
    "nhs-dots": ("NHS no. 943.476.5919", "nhs_number"),
    "nhs-4-3-3": ("NHS 9434 765 919", "nhs_number"),
    "nhs-hyphens-and-space": ("943-476 5919", "nhs_number"),
    "nhs-one-by-one": ("9 4 3 4 7 6 5 9 1 9", "nhs_number"),
    "nhs-zero-width": ("9\u200b4\u200b3\u200b4\u200b7\u200b6\u200b5\u200b9\u200b1\u200b9", "nhs_number"),
    "nhs-word-joiner-and-bom": ("943\u2060476\ufeff5919", "nhs_number"),
    "nhs-soft-hyphen": ("943\u00ad476\u00ad5919", "nhs_number"),
    "nhs-full-width": ("\uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19", "nhs_number"),
    "nhs-nbsp": ("943\u00a0476\u00a05919", "nhs_number"),
    "nhs-narrow-nbsp": ("943\u202f476\u202f5919", "nhs_number"),
    "nhs-en-dash": ("943\u2013476\u20135919", "nhs_number"),
    "nhs-arabic-indic": ("\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669", "nhs_number"),
    "dob-date-of-birth-is": ("date of birth is 03/04/2008", "date_of_birth"),
    "dob-eight-digits": ("dob 03042008", "date_of_birth"),
    "dob-dots": ("d.o.b: 3.4.08", "date_of_birth"),
    "dob-spaces": ("DOB 03 04 2008", "date_of_birth"),
    "dob-month-abbreviated": ("DOB 03-Apr-2008", "date_of_birth"),
    "dob-birth-date": ("Birth date: 3/4/2008", "date_of_birth"),
    "born-in-month-year": ("born in April 2008", "date_of_birth"),
    "born-month-year": ("born April 2008", "date_of_birth"),
    "born-on-the-ordinal-of": ("born on the 3rd of April 2008", "date_of_birth"),
    "born-day-month-year": ("Jayden was born 3 April 2008", "date_of_birth"),
    "born-iso": ("Born 2008-04-03", "date_of_birth"),
    "born-prematurely": ("born prematurely on 3 April 2008", "date_of_birth"),
    "birthday-day-month": ("his birthday is 3rd April", "date_of_birth"),
    "birthday-month-day-year": ("birthday April 3, 2008", "date_of_birth"),
    "phone-mobile": ("Mum's mobile is 07700 900123", "phone_number"),
    "phone-mobile-run-together": ("07700900123", "phone_number"),
    "phone-plus-44": ("+44 7700 900123", "phone_number"),
    "phone-plus-44-trunk": ("+44 (0)7700 900123", "phone_number"),
    "phone-0044": ("0044 7700 900123", "phone_number"),
    "phone-landline": ("Home phone 01392 123456", "phone_number"),
    "phone-brackets": ("(01392) 123456", "phone_number"),
    "phone-london": ("020 7946 0000", "phone_number"),
    "phone-hyphens": ("0117-496-0000", "phone_number"),
    "postcode-exeter": ("Family moved to EX4 1AB in May.", "postcode"),
    "postcode-no-space": ("EX41AB", "postcode"),
    "postcode-lower-case": ("ex4 1ab", "postcode"),
    "postcode-sw1a": ("SW1A 1AA", "postcode"),
    "postcode-m1": ("M1 1AE", "postcode"),
    "postcode-b33": ("B33 8TH", "postcode"),
    "address-avenue": ("Lives at 14 Acacia Avenue with both parents.", "street_address"),
    "address-flat": ("Flat 3, 27 Station Road", "street_address"),
    "address-st": ("2a High St", "street_address"),
    "address-close": ("Moved to 5 Orchard Close last month.", "street_address"),
    "address-three-words": ("9 Upper West Hill Street", "street_address"),
    "address-mews": ("12 Kings Mews", "street_address"),
    "all-three": ("14 Acacia Avenue, EX4 1AB, tel 07700 900123", "phone_number"),
    "name-mr": ("Mr Smith attended the strategy meeting.", "person_name"),
    "name-mrs-full": ("Mrs Kelly Smith was spoken to.", "person_name"),
    "name-ms": ("Ms Jones, class teacher, raised concerns.", "person_name"),
    "name-miss": ("Miss Patel made the referral.", "person_name"),
    "name-mr-full-stop": ("Mr. Evans", "person_name"),
    "name-mr-capitals": ("Mr SMITH", "person_name"),
    "name-mum": ("Jayden Smith lives with mum Kelly Smith.", "person_name"),
    "name-mum-capital": ("Mum Kelly attended the conference.", "person_name"),
    "name-dad": ("dad Darren was not invited.", "person_name"),
    "name-brother": ("brother Jayden is at the same school.", "person_name"),
    "name-sister": ("sister Chloe was seen alone.", "person_name"),
    "name-nan": ("The children stay with nan Pat at weekends.", "person_name"),
    "name-grandmother": ("grandmother Brenda is a protective factor.", "person_name"),
    "name-step-dad": ("step-dad Darren", "person_name"),
    "name-partner": ("Mum's partner Darren moved in.", "person_name"),
    "name-colon": ("Mother: Kelly", "person_name"),
    "name-after-rejected-one": ("Mum Was seen; mum Kelly was not.", "person_name"),
    "name-curly-apostrophe": ("mum Kelly\u2019s flat", "person_name"),
}


@pytest.mark.parametrize(("text", "code"), IDENTIFYING_TEXT.values(), ids=IDENTIFYING_TEXT.keys())
def test_identifying_details_are_refused_with_their_own_reason(text, code):
    with pytest.raises(ValidationError) as raised:
        validate_no_identifying_details(text)
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Child's NHS number 943 476 5919", "an NHS number. Use the board reference instead"),
        ("dob 01/02/2009", "a date of birth. Use the board reference instead"),
        ("tel 07700 900123", "a phone number. Leave out where anyone lives and how to reach them"),
        ("EX4 1AB", "a postcode. Leave out where anyone lives and how to reach them"),
        ("14 Acacia Avenue", "a street address. Leave out where anyone lives and how to reach them"),
        ("mum Kelly", "a person's name, after a title like Mr or a family word like mum. Use the board reference"),
    ],
)
def test_the_message_says_what_was_found_and_what_to_write_instead(text, message):
    with pytest.raises(ValidationError) as raised:
        validate_no_identifying_details(text)
    assert raised.value.messages[0].startswith(f"This looks like it contains {message}")


def test_the_validator_tells_people_to_use_the_board_reference():
    with pytest.raises(ValidationError, match="Use the board reference instead") as raised:
        validate_no_identifying_details("Child's NHS number 943 476 5919")
    assert raised.value.code == "nhs_number"
    with pytest.raises(ValidationError) as raised:
        validate_no_identifying_details("dob 01/02/2009")
    assert raised.value.code == "date_of_birth"
    validate_no_identifying_details("Core group met monthly.")
    validate_no_identifying_details("")


# --- Normalisation: what the patterns read --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("9\u200b4\u200c3\u200d4\u20607\ufeff6\u00ad5", "9434765"),
        ("\uff19\uff14\uff13", "943"),
        ("\U0001d7e1\U0001d7dc", "94"),
        ("\u0669\u0664\u0663 \u096f\u096a", "943 94"),
        ("943\u00a0476\u202f5919\u3000x", "943 476 5919 x"),
        ("943\u2010476\u2013591\u2212", "943-476-591-"),
        ("Kelly\u2019s", "Kelly's"),
        ("caf\u00e9 na\u00efve", "caf\u00e9 na\u00efve"),
    ],
    ids=[
        "zero-width-removed",
        "full-width-digits",
        "mathematical-digits",
        "arabic-indic-and-devanagari-digits",
        "unusual-spaces",
        "dashes",
        "curly-apostrophe",
        "letters-kept",
    ],
)
def test_text_is_normalised_before_it_is_read(text, normalised):
    assert normalise(text) == normalised


def test_a_number_hidden_by_invisible_characters_is_still_found_and_the_text_is_not_changed():
    text = "NHS 943\u200b476\u200b5919"
    assert contains_nhs_number(text)
    assert text == "NHS 943\u200b476\u200b5919"


@pytest.mark.parametrize("reference", ["MACA-2010-09-03", "AI-2010-11-01", "MACA-2011-06-112"])
def test_board_references_in_the_default_pattern_are_accepted(reference):
    validate_board_reference(reference)


@pytest.mark.parametrize("reference", ["Jane Smith", "MACA 2010 09 03", "maca-2010-09-03", "9434765919", ""])
def test_anything_else_is_refused_as_a_board_reference(reference):
    with pytest.raises(ValidationError, match="Enter a board reference in the form MACA-2010-09-03"):
        validate_board_reference(reference)


def test_the_board_reference_pattern_is_configurable(settings):
    settings.BOARD_REFERENCE_PATTERN = r"DSCB/\d{4}/\d{3}"
    settings.BOARD_REFERENCE_EXAMPLE = "DSCB/2010/001"
    validate_board_reference("DSCB/2010/001")
    with pytest.raises(ValidationError, match="DSCB/2010/001"):
        validate_board_reference("MACA-2010-09-03")


@pytest.mark.parametrize(
    "text",
    [
        "As in MACA-2010-09-03, the plan was late.",
        "MACA-2011-06-112",
        "see maca-2010-09-03",  # in lower case
        "AI-\uff12\uff10\uff11\uff10-11-01 showed it",  # full-width digits
        "MACA-2010-09\u200b-03",  # an invisible character
        "(MACA-2010-09-03)",
    ],
)
def test_a_board_reference_anywhere_in_free_text_is_found(text):
    with pytest.raises(ValidationError, match="board reference"):
        validate_no_board_reference(text)


@pytest.mark.parametrize(
    "text", ["", "Eight cases were audited in September 2010.", "6 of 8 cases (75%)", "MACA 2010", "2010-09-03"]
)
def test_text_without_a_board_reference_passes(text):
    validate_no_board_reference(text)


def test_the_board_reference_detector_follows_the_configured_pattern(settings):
    settings.BOARD_REFERENCE_PATTERN = r"^DSCB/\d{4}/\d{3}$"
    with pytest.raises(ValidationError):
        validate_no_board_reference("Case DSCB/2010/001 showed it.")
    validate_no_board_reference("Case MACA-2010-09-03 showed it.")
