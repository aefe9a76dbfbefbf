"""docs/notifications-templates.md is generated; the committed copy must match (like contracts)."""

from __future__ import annotations

from pathlib import Path

from services.notifications.catalogue_doc import DOC_PATH, main, render_catalogue_doc
from services.notifications.domain import TEMPLATES_DIRECTORY, TemplateCatalogue
from services.notifications.domain.routing import SILENT_EVENT_TYPES


def current_doc() -> str:
    return render_catalogue_doc(TemplateCatalogue.load(TEMPLATES_DIRECTORY))


def test_the_committed_template_document_is_up_to_date() -> None:
    committed = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.is_file() else ""

    assert committed == current_doc(), (
        "docs/notifications-templates.md drifted; run "
        "`python -m services.notifications.catalogue_doc`"
    )


def test_the_document_lists_every_template_with_a_trigger_and_every_silent_event() -> None:
    document = current_doc()
    catalogue = TemplateCatalogue.load(TEMPLATES_DIRECTORY)

    for name in catalogue.names():
        [row] = [line for line in document.splitlines() if line.startswith(f"| `{name}` |")]
        assert "`redress." in row, row
        assert "never sent" not in row
    for ce_type in SILENT_EVENT_TYPES:
        assert f"| `{ce_type}` |" in document
    assert "Plain-text part:" in document
    assert "SMS (" in document


def test_check_mode_fails_on_a_stale_copy(tmp_path: Path) -> None:
    stale = tmp_path / "templates.md"
    stale.write_text("old\n", encoding="utf-8")

    assert main(["--check", "--output", str(stale)]) == 1
    assert main(["--output", str(stale)]) == 0
    assert main(["--check", "--output", str(stale)]) == 0
