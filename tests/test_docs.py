"""The documentation says what the code does."""

from pathlib import Path

from km_analysis.schema import reference_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_records_doc_carries_the_current_schema_reference():
    doc = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    assert doc.rstrip().endswith(reference_markdown().rstrip()), (
        "docs/records.md is out of date: regenerate its Tables section with "
        "km_analysis.schema.reference_markdown()"
    )
