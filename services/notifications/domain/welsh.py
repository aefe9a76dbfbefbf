"""Welsh for the personalisation routing fills in, and who is written to in Welsh (issue 14).

A complaint about a Welsh body, or from someone who asked for Welsh (`complainant.language`
"cy"), gets every message in Welsh and English, Welsh first (Welsh Language Standards;
docs/welsh.md). The Welsh templates (`<name>/v<N>.cy.toml`) take the same personalisation as the
English ones; routing words it in English, so the fixed phrases it uses are given their Welsh
here, and dates ("5 January 2027") get Welsh month names. Free text (names, a caseworker's
words) is passed on as written.

Every Welsh phrase here awaits review by a Welsh speaker (docs/welsh.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from markupsafe import Markup

from services.notifications.domain import routing
from shared.events import DeclineReason, Outcome

# Who is written to in Welsh first is one rule for every service that writes (shared/welsh.py).
from shared.welsh import WELSH as WELSH
from shared.welsh import WELSH_NATION as WELSH_NATION
from shared.welsh import writes_in_welsh as writes_in_welsh

# Between the Welsh and the English of one bilingual message (Welsh first, docs/welsh.md).
BILINGUAL_SUBJECT_SEPARATOR: Final = " / "
BILINGUAL_SMS_SEPARATOR: Final = "\n\n"
# The plain-text rule between them, as wide as the email body's rules (Notify's 65 columns).
BILINGUAL_TEXT_RULE: Final = "-" * 65
BILINGUAL_HTML_RULE: Final = Markup(
    '<hr style="border: 0; border-top: 1px solid #b1b4b6; margin: 1.5em 0;">'
)

WELSH_MONTHS: Final = (
    "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
    "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
)  # fmt: skip
_ENGLISH_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ENGLISH_DATE: Final = re.compile(r"\b(\d{1,2}) (" + "|".join(_ENGLISH_MONTHS) + r") (\d{4})\b")

# Each English phrase of routing's description tables, in Welsh. Recommendation statuses read
# after "wedi'i" ("This was ..."), so they start soft-mutated.
WELSH_PHRASES: Final[dict[str, str]] = {
    # STAGE_DESCRIPTIONS
    "We are checking whether we can look into your complaint.": (
        "Rydym yn gwirio a allwn ymchwilio i'ch cwyn."
    ),
    "We have started to investigate your complaint.": "Rydym wedi dechrau ymchwilio i'ch cwyn.",
    "We have shared our draft decision with you.": (
        "Rydym wedi rhannu ein penderfyniad drafft gyda chi."
    ),
    "We are reviewing our decision.": "Rydym yn adolygu ein penderfyniad.",
    "Your complaint is closed.": "Mae eich cwyn wedi'i chau.",
    # OUTCOME_DESCRIPTIONS
    routing.OUTCOME_DESCRIPTIONS[Outcome.UPHELD]: (
        "Rydym wedi cadarnhau eich cwyn. Mae hyn yn golygu ein bod wedi canfod bod y sefydliad "
        "wedi gwneud pethau'n anghywir."
    ),
    routing.OUTCOME_DESCRIPTIONS[Outcome.PARTLY_UPHELD]: (
        "Rydym wedi cadarnhau eich cwyn yn rhannol. Mae hyn yn golygu ein bod wedi canfod bod y "
        "sefydliad wedi gwneud rhai pethau'n anghywir, ond nid popeth y gwnaethoch gwyno amdano."
    ),
    routing.OUTCOME_DESCRIPTIONS[Outcome.NOT_UPHELD]: (
        "Nid ydym wedi cadarnhau eich cwyn. Mae hyn yn golygu na wnaethom ganfod bod y sefydliad "
        "wedi gwneud pethau'n anghywir."
    ),
    # DECLINE_REASON_DESCRIPTIONS
    routing.DECLINE_REASON_DESCRIPTIONS[DeclineReason.OUT_OF_REMIT]: (
        "Nid yw'r gyfraith yn caniatáu i ni ymchwilio i'r math hwn o gwyn. Gallwn ddweud wrthych "
        "pwy allai helpu."
    ),
    routing.DECLINE_REASON_DESCRIPTIONS[DeclineReason.NOT_PROPERLY_MADE]: (
        "Ni wnaed y gwyn yn y ffordd y mae'r gyfraith yn ei mynnu. Er enghraifft, rhaid i gwyn am "
        "adran o'r llywodraeth ddod atom gan Aelod Seneddol."
    ),
    routing.DECLINE_REASON_DESCRIPTIONS[DeclineReason.PREMATURE]: (
        "Nid yw'r sefydliad wedi gorffen delio â'ch cwyn. Rhaid iddo gael cyfle i unioni pethau "
        "yn gyntaf. Gallwch ddod yn ôl atom pan fydd wedi anfon ei ateb terfynol atoch."
    ),
    routing.DECLINE_REASON_DESCRIPTIONS[DeclineReason.DISCRETION_DECLINED]: (
        "Nid ydym yn credu y byddai ymchwiliad gennym yn cyflawni mwy i chi, felly rydym wedi "
        "penderfynu peidio ag ymchwilio."
    ),
    # CLOSURE_DESCRIPTIONS
    "The organisation has agreed to put things right.": (
        "Mae'r sefydliad wedi cytuno i unioni pethau."
    ),
    "You told us you no longer want us to look into it.": (
        "Dywedasoch wrthym nad ydych eisiau i ni ymchwilio iddi mwyach."
    ),
    # RECOMMENDATION_DESCRIPTIONS
    "an apology": "ymddiheuriad",
    "a payment to put things right": "taliad i unioni pethau",
    "changes to how it works": "newidiadau i'r ffordd y mae'n gweithio",
    # RECOMMENDATION_STATUS_DESCRIPTIONS
    "asked for by us": "ofyn amdano gennym ni",
    "agreed by the organisation": "gytuno gan y sefydliad",
    "done": "wneud",
    "overdue: it was not done by the date we set": (
        "fethu: ni chafodd ei wneud erbyn y dyddiad a bennwyd gennym"
    ),
    "refused by the organisation": "wrthod gan y sefydliad",
    # REVIEW_OUTCOME_DESCRIPTIONS
    routing.REVIEW_OUTCOME_DESCRIPTIONS["decision_upheld"]: (
        "Mae ein penderfyniad yn aros yr un fath. Dyma ein gair olaf ar eich cwyn."
    ),
    routing.REVIEW_OUTCOME_DESCRIPTIONS["decision_changed"]: (
        "Rydym wedi newid ein penderfyniad. Bydd eich gweithiwr achos yn esbonio beth sy'n "
        "digwydd nesaf."
    ),
    # MILESTONE_DESCRIPTIONS
    "our acknowledgement": "ein cydnabyddiaeth",
    "our decision on whether we can look into your complaint": (
        "ein penderfyniad ynghylch a allwn ymchwilio i'ch cwyn"
    ),
    "the end of our investigation": "diwedd ein hymchwiliad",
    "information from the organisation": "gwybodaeth gan y sefydliad",
    "our draft decision": "ein penderfyniad drafft",
    "your comments on our draft decision": "eich sylwadau ar ein penderfyniad drafft",
    "our final decision": "ein penderfyniad terfynol",
    "the outcome of our review": "canlyniad ein hadolygiad",
}


def welsh_date(text: str) -> str:
    """'5 January 2027' anywhere in `text` as '5 Ionawr 2027'."""
    return _ENGLISH_DATE.sub(
        lambda m: f"{m.group(1)} {WELSH_MONTHS[_ENGLISH_MONTHS.index(m.group(2))]} {m.group(3)}",
        text,
    )


def _welsh_list(text: str) -> str:
    """routing's 'an apology, a payment ... and changes ...' as a Welsh list ('a' for 'and')."""
    parts = re.split(r", | and ", text)
    if len(parts) < 2 or not all(part in WELSH_PHRASES for part in parts):
        return text
    welsh = [WELSH_PHRASES[part] for part in parts]
    return f"{', '.join(welsh[:-1])} a {welsh[-1]}"


def welsh_value(value: object) -> object:
    if not isinstance(value, str) or value.startswith(("https://", "http://")):
        return value  # a link is never rewritten
    if value in WELSH_PHRASES:
        return WELSH_PHRASES[value]
    return welsh_date(_welsh_list(value))


def welsh_personalisation(values: Mapping[str, object]) -> dict[str, object]:
    """The personalisation for a Welsh template: known phrases and dates in Welsh."""
    return {key: welsh_value(value) for key, value in values.items()}


def welsh_first(
    welsh: tuple[str, Markup, str], english: tuple[str, Markup, str]
) -> tuple[str, Markup, str]:
    """One bilingual subject, HTML body and text body: the Welsh, a rule, then the English (each
    HTML half marked with its `lang`, so a screen reader speaks it in the right voice)."""
    subject = f"{welsh[0]}{BILINGUAL_SUBJECT_SEPARATOR}{english[0]}"
    html = Markup('<div lang="cy">{}</div>{}<div lang="en">{}</div>').format(
        welsh[1], BILINGUAL_HTML_RULE, english[1]
    )
    text = f"{welsh[2]}\n\n{BILINGUAL_TEXT_RULE}\n\n{english[2]}"
    return subject, html, text
