"""The survey pages: accessible, script-free, and escaping what they show."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from jinja2 import StrictUndefined

from services.feedback.domain import COMMENTS_MAX_CHARS, SCALE, SURVEY_QUESTIONS
from shared.kit.i18n import LocalisedTemplates

TEMPLATES = Path(__file__).resolve().parents[3] / "services" / "feedback" / "templates"


class _Page(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def render(template: str, **context: object) -> str:
    # The service's English pages (gettext, the shared language switch), made strict.
    english = LocalisedTemplates.load(TEMPLATES, TEMPLATES.parent / "locale").env("en")
    environment = english.overlay(undefined=StrictUndefined)
    return environment.get_template(template).render(**context)


def survey(**overrides: object) -> str:
    context: dict[str, object] = {
        "questions": SURVEY_QUESTIONS,
        "scale": SCALE,
        "answers": {},
        "comments": "",
        "errors": {},
        "comments_max_chars": COMMENTS_MAX_CHARS,
    }
    context.update(overrides)
    return render("survey.html", **context)


def test_one_fieldset_and_legend_per_question() -> None:
    page = _Page(survey())
    assert len(page.all("fieldset")) == len(SURVEY_QUESTIONS)
    assert len(page.all("legend")) == len(SURVEY_QUESTIONS)


def test_five_labelled_radios_per_question() -> None:
    page = _Page(survey())
    radios = [attrs for attrs in page.all("input") if attrs.get("type") == "radio"]
    assert len(radios) == 5 * len(SURVEY_QUESTIONS)
    ids = [radio["id"] for radio in radios]
    assert len(set(ids)) == len(ids)
    labelled = {label["for"] for label in page.all("label")}
    assert set(ids) <= labelled
    for question_id, _ in SURVEY_QUESTIONS:
        values = [radio["value"] for radio in radios if radio["name"] == question_id]
        assert values == ["1", "2", "3", "4", "5"]


def test_posts_to_itself_without_javascript() -> None:
    source = survey()
    page = _Page(source)
    forms = page.all("form")
    assert forms
    assert all(form.get("method") == "post" and "action" not in form for form in forms)
    assert not page.all("script")
    assert "onclick" not in source.lower()


def test_comments_box_warns_against_personal_details() -> None:
    page = _Page(survey())
    (textarea,) = page.all("textarea")
    assert textarea["name"] == "comments"
    assert textarea["maxlength"] == str(COMMENTS_MAX_CHARS)
    assert textarea["aria-describedby"] == "comments-warning"
    assert "Do not include personal details" in survey()


def test_opt_out_is_offered() -> None:
    page = _Page(survey())
    actions = [attrs["value"] for attrs in page.all("input") if attrs.get("name") == "action"]
    assert actions == ["submit", "opt_out"]


def test_errors_are_summarised_and_linked_to_their_question() -> None:
    source = survey(
        errors={"overall_time": "Choose an answer from 1 to 5.", "answers": "Answer one."},
        answers={"easy_to_find": 4},
    )
    page = _Page(source)
    links = [attrs["href"] for attrs in page.all("a")]
    assert "#q-overall_time-1" in links
    assert "#answers" in links
    assert source.count("Choose an answer from 1 to 5.") == 2  # summary and beside the question
    described = [f for f in page.all("fieldset") if f.get("aria-describedby")]
    assert described == [{"aria-describedby": "q-overall_time-error"}]
    checked = [attrs["id"] for attrs in page.all("input") if "checked" in attrs]
    assert checked == ["q-easy_to_find-4"]
    assert "<title>Error:" in source


def test_redisplayed_comments_are_escaped() -> None:
    source = survey(comments="</textarea><script>alert(1)</script>")
    assert "<script>" not in source
    assert "&lt;/textarea&gt;&lt;script&gt;" in source


def test_thanks_page_for_answers_and_for_opt_out() -> None:
    assert "Thank you for your feedback" in render("thanks.html", opted_out=False)
    opted_out = render("thanks.html", opted_out=True)
    assert "You will not be asked again" in opted_out
    assert "Thank you for your feedback" not in opted_out


def test_expired_page_reveals_nothing_about_the_survey() -> None:
    page = render("expired.html")
    assert "This survey link can no longer be used" in page
    assert not _Page(page).all("form")
