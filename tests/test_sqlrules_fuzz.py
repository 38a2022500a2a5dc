"""The SQL rules never raise, whatever text a migration holds: mutated samples, both dialects."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_dbaudit.sqlrules import lint

SAMPLES = [p.read_text() for p in sorted((Path(__file__).parent / "data" / "sql").rglob("*.sql"))]


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["cut", "insert", "splice"]))
        if kind == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif kind == "insert":
            text = text[:at] + draw(st.text(alphabet=st.sampled_from(list("'\"$;()`-/* \n\\abcSELECT")), max_size=8)) + text[at:]
        else:
            text = text[:at] + draw(st.sampled_from(SAMPLES))[:60] + text[at:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from(["postgresql", "mysql"]))
def test_lint_never_raises(sql, dialect):
    report = lint(sql, dialect=dialect)
    assert report.statements >= 0 and all(v.line >= 1 for v in report.violations)
