"""The action plan table of the DSCB report analysing its multi-agency case audits of 2009 to 2010 (update
completed 4 March 2011), transcribed as the report states it.

Source: shared/seed/maca-analysis-2009-2010.txt, from "Audit of Multi-Agency Case Audit recommendations" to the
end. The repeated page-header rows are left out, HTML fragments and bullet characters are stripped, row 1.6 (split
across a page break) is joined back together, and wording, spelling and URLs are kept exactly as in the report.
Where the dump lost the bullet characters of an evidence cell, the cell is split at the sentence boundaries that
begin new items; a URL that stands alone in a cell is its own item. Section 3 has a "By When" column instead of a
RAG rating; it is empty in the report, so every rating there is None."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

HEADER: dict[str, str | datetime.date] = {
    "title": "Audit of Multi-Agency Case Audit recommendations",
    "professional_leads": (
        "Maria Kasprzyk, Helen Hyland, Alison Allen, Sasha Bishop, Andrew Berry, Jane Lake, Jim Wood, Laura Spittles "
        "and Sally Casebow"
    ),
    "director_lead": "Rory McCallum",
    "timescales": "Six monthly",
    # The en dash is the report's own.
    "reference": "Multi-Agency Case Audits – March 2009, December 2009, April 2010 and September 2010",  # noqa: RUF001
    "update_completed": datetime.date(2011, 3, 4),
}


@dataclass(frozen=True)
class SeedRecommendation:
    """One row of the action plan: its number, the recommendation or task, the evidence bullets and the RAG rating."""

    number: str
    text: str
    evidence: tuple[str, ...]
    rag: str | None


@dataclass(frozen=True)
class SeedSection:
    """One audit's block of the action plan, with the column headings the report gives it."""

    number: int
    title: str
    item_heading: str
    last_column: str
    recommendations: tuple[SeedRecommendation, ...]


SECTIONS: tuple[SeedSection, ...] = (
    SeedSection(
        number=1,
        title="March 2009",
        item_heading="Recommendations",
        last_column="RAG",
        recommendations=(
            SeedRecommendation(
                number="1.1",
                text="A multi-agency team concept should be developed for Child Protection.",
                evidence=(
                    (
                        "Multi-Agency Safeguarding hub MASH in place screening all enquiries to Early Years and "
                        "Families and Police (121a) notifications."
                    ),
                    "Team in place from January 2010",
                    "Full roll out planned from 1st April 2011.",
                    "Team consist of staff from police, social work, education, health probation, YOS.",
                    "http://dscb.info/practitioners/multi-agency-safeguarding-hub-mash/",
                    (
                        "Opportunities being considered for social workers (and other professionals) to co-locate with "
                        "police Child Abuse Investigation teams (CAIT) from September 2011 in Southern Devon and later "
                        "in the year in Eastern and Northern Devon."
                    ),
                    "Agreed golden rules for all agencies developed by DSCB.",
                    "http://dscb.info/wp-content/uploads/downloads/2010/07/Golden-Rules-flyer.pdf",
                ),
                rag=None,
            ),
            SeedRecommendation(
                number="1.2",
                text=(
                    "Develop a robust quality and assurance framework around initial child protection conferences and "
                    "reviews. This will enable the LSCB and Child protection chairs to promote good practice around "
                    "agency participation rather than contribution and report writing for child protection "
                    "conferences."
                ),
                evidence=(
                    (
                        "Operation Manager of Independent Safeguarding and Reviewing Unit (ISRU) produces quarterly "
                        "report on a range of qualitative and quantitative data concerning CP conferences."
                    ),
                    "Reviewing Officers undertake audit of reports presented to conference and review.",
                ),
                rag="Green",
            ),
            SeedRecommendation(
                number="1.3",
                text="There should be a standard single format for report writing used by all agencies",
                evidence=(
                    (
                        "Single Report format has been developed and consulted across agencies. Will be in place from "
                        "1st April 2011."
                    ),
                ),
                rag="Green",
            ),
            SeedRecommendation(
                number="1.4",
                text=(
                    "The role of the Child Protection Chair is to ensure the meetings remain child focused. Child "
                    "Protection Chairs need to engage/challenge all professionals and make sure they understand their "
                    "roles and responsibilities."
                ),
                evidence=(
                    (
                        "ISRU files audited as part of MACA. Evidence seen in audits of challenge to other "
                        "professionals and management of disagreements."
                    ),
                    (
                        "ISRU Operation Manager member of audit team and feedback on findings and themes to Chairs is "
                        "given through team meetings and supervision."
                    ),
                ),
                rag="Green",
            ),
            SeedRecommendation(
                number="1.5",
                text=(
                    "Child Protection Chairs must be given the skills to achieve these outcomes through specific "
                    "training, and through having a robust framework for escalating any concerns regarding practice to "
                    "relevant managers in partner agencies."
                ),
                evidence=(
                    "ISRU Operation Manager member of Countywide Operations Management Team meeting.",
                    "Chairs have participated in national training events.",
                    (
                        "Further opportunities are being explored between Adult and Children Services and neighbouring "
                        "LSCB's to share training costs."
                    ),
                    "Escalation framework contained within SWCPP.",
                    "http://www.online-procedures.co.uk/swcpp/contents/managing-individual-cases/resolution-professional-disagreements/",
                ),
                rag="Orange",
            ),
            SeedRecommendation(
                number="1.6",
                text=(
                    "The core group structure must be robust, rigorous and reliable.\n\n"
                    "Core group meetings will be subject to scrutiny through the quality and assurance framework. Data "
                    "regarding the quality of reports and agency participation will be monitored through the LSCB "
                    "quality and assurance subgroup."
                ),
                evidence=(
                    "Policy updated and frequency increased to minimum of 4 weekly commenced June 2010.",
                    "Performance monitoring has recently been initiated using CareFirst and reported to SMT.",
                    "Participation in core groups is managed through individual supervision.",
                    (
                        "Core group meetings subject to both MACA and recently revised Children's Social Work auditing "
                        "regime."
                    ),
                ),
                rag="Green",
            ),
            SeedRecommendation(
                number="1.7",
                text=(
                    "For any child subject to a child protection plan there should be a single file held "
                    "electronically that all agencies can access and into which they can view or input any relevant "
                    "data."
                ),
                evidence=(
                    (
                        "Single social work electronic file for all children subject to a CP plan held on TRIM (DCC "
                        "system)."
                    ),
                    "All professionals in the MASH and named nurses, NHS Devon can access the file.",
                    (
                        "Work continuing to increase opportunities for health to access files in Minor Injuries Units "
                        "and Emergency Departments."
                    ),
                ),
                rag=None,
            ),
        ),
    ),
    SeedSection(
        number=2,
        title="December 2009",
        item_heading="Tasks",
        last_column="RAG",
        recommendations=(
            SeedRecommendation(
                number="2.1",
                text=(
                    "All DSCB agencies to record chronologies using the same format and to develop a multi-agency "
                    "chronology for all children subject to a child protection plan."
                ),
                evidence=(
                    (
                        "Introduction of core group managing multi-agency chronology through updating at each meeting "
                        "with allocated social worker responsible for coordination and circulation with core group "
                        "minutes being introduced from 1st April 2011."
                    ),
                    "Policy and format has been completed.",
                ),
                rag=None,
            ),
            SeedRecommendation(
                number="2.2",
                text=(
                    "To develop 'Appreciative Inquiry' model as a standard tool for multi-agency reflective case "
                    "audit, for individual cases not reaching the threshold for a formal serious case review, but has "
                    "been identified by the serious case review sub group that learning needs to be identified."
                ),
                evidence=(
                    "Multi-Agency training available for all staff.",
                    "Audit team trained in Appreciative Inquiry (AI).",
                    (
                        "Using as part of audit process and with colleagues from Serious Case Review (SCR) sub group "
                        "in identified 'near misses'."
                    ),
                    (
                        "Audit team used Appreciative Inquiry with District Councils to undertake section 11 self "
                        "assessment."
                    ),
                    "Devon participating in work with SCIE.",
                ),
                rag="Green",
            ),
            SeedRecommendation(
                number="2.3",
                text=(
                    'Multi-agency Neglect Strategy and training to be made available developing the "Graded Care '
                    'Profile - a tool for assessing Neglect " to understand how to assess signs and symptoms of '
                    "neglect, and how effective interventions can be measured to improve children / young people's "
                    "outcomes."
                ),
                evidence=(
                    "Neglect guidance available of South West Child Protection Procedures (SWCPP).",
                    "http://www.online-procedures.co.uk/swcpp/contents/useful-resources/dealing-with-neglect/",
                    "Neglect Conference for Social Workers held February 2011.",
                    "NHS Devon using Graded Care Profile risk and resilience factors in their toolkit.",
                    "Task and Finish Group in place to develop Neglect Strategy and toolkit for assessments.",
                ),
                rag="Orange",
            ),
            SeedRecommendation(
                number="2.4",
                text=(
                    "Staff must record legibly, using specific language, clearly stating their agency, name, status "
                    "and date of record. Ethnicity, religion and language"
                ),
                evidence=(
                    "Recording skills training delivered in Social Work.",
                    "Guidance for file structure, content and recording sent to schools.",
                    (
                        "Police (121a) record updated and recording content requirements training delivered to all "
                        "police officers."
                    ),
                    "Safeguarding recording standards delivered to Health Visitors and School Nurses.",
                    (
                        "Devon Partnership Trust (DPT) updated information on case file to include information about "
                        "children."
                    ),
                ),
                rag="Green",
            ),
            SeedRecommendation(
                number="2.5",
                text="Reinstate child protection change of circumstance form used by all agencies",
                evidence=(
                    (
                        "Change of circumstances for updated with guidance and will be available for download from "
                        "DSCB website from 1st April 2011."
                    ),
                ),
                rag="Green",
            ),
            SeedRecommendation(
                number="2.6",
                text=(
                    "The use of video and telephone conferencing between agencies to be considered. This will enhance "
                    "opportunities for early multi- agency strategy discussions and may improve agency representation "
                    "at CP conferences/reviews etc."
                ),
                evidence=(
                    "Video conferencing available across some DCC sites.",
                    "Practice Managers using telephone conferencing.",
                    (
                        "All Practice Managers to be provided with information to set up telephone conferencing and "
                        "encouraged to use from 1st April 2011."
                    ),
                ),
                rag="Orange",
            ),
            SeedRecommendation(
                number="2.7",
                text=(
                    "Improve quality of strategy discussion to include all relevant agencies involved with the child "
                    "and their family in compliance with 'Working Together' 2006 (5.54)."
                ),
                evidence=(
                    (
                        "Social Work team meetings held team discussion on 5.54 Working Together 2006 and updated "
                        "information with 5.56 Working Together 2010"
                    ),
                    (
                        "Audit evidence in April and September 2010 shows increase of professionals involved in "
                        "strategy discussions."
                    ),
                    (
                        "Information package from MASH improved information sharing and identifying professionals "
                        "early in process."
                    ),
                ),
                rag="Amber",
            ),
            SeedRecommendation(
                number="2.8",
                text="Chairs need to ensure language and plans are specific, clear and SMART",
                evidence=(
                    "Introduction of improved CP plan format in June 2010 has improved quality of plans",
                    "5 of 8 plans audited in September 2010 were of good standard.",
                ),
                rag="Amber",
            ),
            SeedRecommendation(
                number="2.9",
                text=(
                    "All agencies/professionals need to understand their own role and responsibilities and the role "
                    "and responsibility of other agencies when attending/contributing child protection "
                    "conference/reviews Leaflet for professionals explaining their role and responsibility when "
                    "attending child protection conference/reviews"
                ),
                evidence=(
                    "Level 1 training programme updated",
                    "Guidance developed.",
                    "Advice for professionals on SWCPP.",
                    "http://www.online-procedures.co.uk/swcpp/contents/managing-individual-cases/child-protection-conference/professionals-at-a-conference/",
                    "In-house communication and discussion in supervision taken place.",
                ),
                rag="Green",
            ),
            SeedRecommendation(
                number="2.10",
                text=(
                    "All Reports to be submitted to the Chair and the family 5 working days prior to the child "
                    "protection review."
                ),
                evidence=(
                    "No evidence in audit work that Reports completed 5 days before Conference/ Review.",
                    "Chairs report that many agency Reports continue to be presented on the day of the meeting.",
                    "Little evidence family have had opportunity to see / discuss Reports prior to meeting.",
                ),
                rag=None,
            ),
            SeedRecommendation(
                number="2.11",
                text=(
                    "DSCB should ensure all staff involved in Child Protection work should have access to regular "
                    "child protection supervision"
                ),
                evidence=(
                    (
                        "All agencies have reviewed supervision structure and updated policies to ensure professionals "
                        "undertaking child protection work have access to regular supervision."
                    ),
                    (
                        "90% files audited in September 2010 had evidence of supervision / management oversight on the "
                        "file."
                    ),
                ),
                rag=None,
            ),
        ),
    ),
    SeedSection(
        number=3,
        title="April 2010",
        item_heading="Tasks",
        last_column="By When",
        recommendations=(
            SeedRecommendation(
                number="3.1",
                text=(
                    "The opportunity for Child Protection chairs to be trained to use the Appreciative Inquiry model "
                    "to use all or aspects of the model as part of their practice\n\n"
                    "To consider using the Appreciative Inquiry model with Child Protection cases that do not appear "
                    "to be moving forward\n\n"
                    "To consider using the model with cases subject to a child protection plan for longer than 2 "
                    "years."
                ),
                evidence=(
                    "3 Chairs have attended Core Skills training",
                    "Chairs will participate in learning opportunities provided by SCIE",
                ),
                rag=None,
            ),
            SeedRecommendation(
                number="3.2",
                text=(
                    "DSCB to promote the Core Skills Appreciative Inquiry training programme so that there is a large "
                    "range of practitioners who understand the ethos of the Appreciative Inquiry model."
                ),
                evidence=(
                    "186 practitioners trained in Core Skills.",
                    "Evidence if Appreciative Inquiry being used at CAF / TAC level",
                ),
                rag=None,
            ),
            SeedRecommendation(
                number="3.3",
                text=(
                    "Each agency to consider the recommendation relevant for their organisation and to report back "
                    "through their audit representative which will be monitored through the Executive Board."
                ),
                evidence=(
                    "DSCB Executive responsible for developing and monitoring action plans.",
                    "Action Plan standing agenda item for Executive.",
                    "Identified themes from single agency audits coated and monitored by QAAC sub group.",
                ),
                rag=None,
            ),
            SeedRecommendation(
                number="3.4",
                text=(
                    "A review is undertaken to consider the findings identified regarding the lack of availability of "
                    "child protection minutes and plans within reasonable timescales."
                ),
                evidence=(
                    "Additional admin resources in the ISRU committed in 2010 to resolve.",
                    "Issue resolved.",
                    (
                        "100% of records audited in September 2010 had up to date minutes and CP plan on all agency "
                        "records."
                    ),
                ),
                rag=None,
            ),
            SeedRecommendation(
                number="3.5",
                text=(
                    "The QA sub group proposes to coordinate the findings of safeguarding audits undertaken in each "
                    "agency to build an evidence library for improved practice and report to the Executive and the "
                    "Board in a single Report twice a year."
                ),
                evidence=(
                    "Single agency audits being co-ordinated and considered by QAAC sub group April 2010.",
                    "Reporting to Executive May 2010.",
                ),
                rag=None,
            ),
        ),
    ),
    SeedSection(
        number=4,
        title="September 2010 (Integrated Children's Service)",
        item_heading="Tasks",
        last_column="RAG",
        recommendations=(
            SeedRecommendation(
                number="4.1",
                text=(
                    "Develop a protocol between Early Years and Families and the Integrated Children's Service to "
                    "manage referral pathways for child protection concerns and case management of sibling groups "
                    "subject to child protection plans."
                ),
                evidence=(
                    (
                        "Section 47 enquiry and children subject to a child protection plan protocol agreed between "
                        "EY&F and ICS 3/3/11."
                    ),
                    (
                        "All children subject to a child protection plan will be managed within EY&F with co-working "
                        "link / allocation with ICS for children with additional needs."
                    ),
                ),
                rag=None,
            ),
            SeedRecommendation(
                number="4.2",
                text=(
                    "Improve social work governance to make sure all practitioners have access to a suitable qualified "
                    "and experienced social work manager to provide case supervision and assess significant harm."
                ),
                evidence=(
                    "Lead Governance social work role identified within ICS.",
                    (
                        "Pathway in place for social workers to access a qualified social worker manager for clinical "
                        "supervision and advice."
                    ),
                ),
                rag=None,
            ),
            SeedRecommendation(
                number="4.3",
                text=(
                    "Improve 'ways of working' between Early Years and Families and the Integrated Children's Service "
                    "to make sure all social work professionals are working to the same set of standards, practice "
                    "models and governance."
                ),
                evidence=(
                    "Joint Senior Management Team meetings held monthly.",
                    "Multi-agency Governance group meets monthly.",
                    "Joint local management meetings between areas managers and operation managers.",
                    (
                        "All social workers in ICS able to access training, workshops and representation on the "
                        "Quality and Practice Improvement Board."
                    ),
                ),
                rag="Green",
            ),
            SeedRecommendation(
                number="4.4",
                text=(
                    "The Integrated Children's Service to review their integrated assessment tool to include the "
                    "domains and dimensions of the Framework for Assessment of Children in Need and their Families "
                    "(DoH 2000) and produce a more holistic assessment including risk and protective factors"
                ),
                evidence=(),
                rag="Red",
            ),
            SeedRecommendation(
                number="4.5",
                text=(
                    "Develop a performance framework for quality case audits and an audit policy that is regularly "
                    "overseen by senior managers within the Integrated Children's Service."
                ),
                evidence=("ICS Social Work managers to undertake audits as required by EY&F managers.",),
                rag="Orange",
            ),
            SeedRecommendation(
                number="4.6",
                text=(
                    "Develop a 'prompt' card for professionals attending child protection conferences and review "
                    "outlining the categories for a child protection plan"
                ),
                evidence=("To be implemented from 1st April 2011.",),
                rag="Green",
            ),
            SeedRecommendation(
                number="4.7",
                text=(
                    "The issue of different electronic recording systems in Education, Early Years and Families and "
                    "the Integrated Children's Service (previously the Joint Agency Service) has been a thorny issue "
                    "for many years. The audit team identified serious risks associated with a child's information "
                    "being held over many different systems. It would therefore recommend a review of electronic "
                    "recording systems across all service areas and a strategic plan to align wherever possible "
                    "recording systems."
                ),
                evidence=(
                    (
                        "Corporate applications strategy through DCC and ICT Data Commissioning Board leading ongoing "
                        "review of system alignment."
                    ),
                    "Joint discussions to consider electronic recording system to meet needs.",
                    "OLM (CareFirst undertaking viability study of ICS needs)",
                    "ICS implementing TRIM to become child's main case file.",
                ),
                rag=None,
            ),
            SeedRecommendation(
                number="4.8",
                text=(
                    "Conduct a safeguarding training needs analysis for all staff and managers in the Integrated "
                    "Children's Service."
                ),
                evidence=("Training needs being identified.",),
                rag=None,
            ),
            SeedRecommendation(
                number="4.9",
                text=(
                    "Review the multi-agency training for professionals to make sure there is sufficient training on "
                    "sexual abuse including signs and symptoms exhibited in young children, older children and young "
                    "people and risks from 'risky' adults visiting the household."
                ),
                evidence=(
                    "Level 3 and 4 training programmes have been reviewed.",
                    "Conference planned for late 2011.",
                    "Partnership learning programme being developed with C4EO working with resistant families.",
                ),
                rag=None,
            ),
        ),
    ),
)


def _require(condition: bool, message: str) -> None:
    """Assert one fact about the transcription (raises even under python -O, unlike assert)."""
    if not condition:
        raise AssertionError(message)


def _check() -> None:
    """Assert the facts the transcription must satisfy against the report. Not run at import time."""
    _require(
        [(s.number, s.title, s.item_heading, s.last_column) for s in SECTIONS]
        == [
            (1, "March 2009", "Recommendations", "RAG"),
            (2, "December 2009", "Tasks", "RAG"),
            (3, "April 2010", "Tasks", "By When"),
            (4, "September 2010 (Integrated Children's Service)", "Tasks", "RAG"),
        ],
        "section numbers, titles and column headings",
    )
    expected_numbers = {1: 7, 2: 11, 3: 5, 4: 9}
    for section in SECTIONS:
        numbers = [r.number for r in section.recommendations]
        wanted = [f"{section.number}.{i}" for i in range(1, expected_numbers[section.number] + 1)]
        _require(numbers == wanted, f"section {section.number} numbers: {numbers}")
    recommendations = [r for section in SECTIONS for r in section.recommendations]
    _require(len(recommendations) == 32, "32 recommendations in all")

    expected_rag = {
        "Green": {"1.2", "1.3", "1.4", "1.6", "2.2", "2.4", "2.5", "2.9", "4.3", "4.6"},
        "Orange": {"1.5", "2.3", "2.6", "4.5"},
        "Amber": {"2.7", "2.8"},
        "Red": {"4.4"},
    }
    for r in recommendations:
        wanted_rag = next((rag for rag, numbers in expected_rag.items() if r.number in numbers), None)
        _require(r.rag == wanted_rag, f"{r.number} RAG is {r.rag!r}, expected {wanted_rag!r}")
    counts = {rag: sum(r.rag == rag for r in recommendations) for rag in ("Green", "Orange", "Amber", "Red", None)}
    _require(counts == {"Green": 10, "Orange": 4, "Amber": 2, "Red": 1, None: 15}, f"RAG counts {counts}")
    _require(all(r.rag is None for r in SECTIONS[2].recommendations), "section 3 has no RAG ratings")

    expected_header = {
        "title": "Audit of Multi-Agency Case Audit recommendations",
        "professional_leads": (
            "Maria Kasprzyk, Helen Hyland, Alison Allen, Sasha Bishop, Andrew Berry, Jane Lake, Jim Wood, "
            "Laura Spittles and Sally Casebow"
        ),
        "director_lead": "Rory McCallum",
        "timescales": "Six monthly",
        "reference": "Multi-Agency Case Audits \u2013 March 2009, December 2009, April 2010 and September 2010",
        "update_completed": datetime.date(2011, 3, 4),
    }
    _require(expected_header == HEADER, f"header {HEADER}")

    by_number = {r.number: r for r in recommendations}
    _require(by_number["4.4"].evidence == (), "4.4 has no evidence")
    _require(all(r.evidence for r in recommendations if r.number != "4.4"), "only 4.4 has no evidence")
    _require(
        by_number["1.6"].text.startswith(
            "The core group structure must be robust, rigorous and reliable.\n\nCore group"
        ),
        "1.6 text joined across the page break",
    )
    _require(
        by_number["1.6"].evidence[0]
        == "Policy updated and frequency increased to minimum of 4 weekly commenced June 2010.",
        "1.6 evidence joined across the page break",
    )
    _require(len(by_number["4.7"].evidence) == 4, "4.7's stray empty bullet dropped")

    urls = [e for r in recommendations for e in r.evidence if "http" in e]
    _require(
        urls
        == [
            "http://dscb.info/practitioners/multi-agency-safeguarding-hub-mash/",
            "http://dscb.info/wp-content/uploads/downloads/2010/07/Golden-Rules-flyer.pdf",
            "http://www.online-procedures.co.uk/swcpp/contents/managing-individual-cases/"
            "resolution-professional-disagreements/",
            "http://www.online-procedures.co.uk/swcpp/contents/useful-resources/dealing-with-neglect/",
            "http://www.online-procedures.co.uk/swcpp/contents/managing-individual-cases/child-protection-conference/"
            "professionals-at-a-conference/",
        ],
        f"URLs {urls}",
    )

    strings = [v for v in HEADER.values() if isinstance(v, str)]
    for section in SECTIONS:
        strings += [section.title, section.item_heading, section.last_column]
        for r in section.recommendations:
            strings += [r.number, r.text, *r.evidence]
            _require(isinstance(r.evidence, tuple), f"{r.number} evidence is a tuple")
    for s in strings:
        _require(bool(s), "no empty string")
        _require(s == s.strip(), f"no leading or trailing whitespace: {s!r}")
        _require(not any(c in s for c in "<>\u2022"), f"no HTML or bullet characters: {s!r}")
