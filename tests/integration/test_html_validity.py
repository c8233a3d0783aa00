"""Every page of the demo bundle passes the Nu HTML checker (and HTML Tidy, when installed) without errors.

The checker is a Java jar shipped in the npm package ``vnu-jar``. ``make test`` installs it into
``.tools/``; set ``VNU_JAR`` to use another copy. Without it the tests skip, unless
``CA_EDITOR_REQUIRE_TOOLS=1`` (CI) turns a missing tool into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VNU_JAR = REPO_ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL_HINT = (
    "`make test` installs it; by hand: `mkdir -p .tools && cd .tools && "
    "npm install --no-save --no-audit --no-fund vnu-jar` (needs Java 11+ on PATH, e.g. Debian's "
    "default-jre-headless), or point VNU_JAR at a vnu.jar"
)

# Tidy 5 predates parts of HTML5 and warns about them (e.g. `loading="lazy"`), so warnings alone do not fail
# the test; errors do, and so do the warnings that always mean a real defect in a page.
SIGNIFICANT_TIDY_WARNINGS = (
    'lacks "alt"',
    "already defined",  # duplicate id
    "discarding unexpected",
    "missing </",
    "is not recognized",
    "isn't allowed in",
)


def tools_required() -> bool:
    return os.environ.get("CA_EDITOR_REQUIRE_TOOLS", "").strip() == "1"


def missing(what: str) -> None:
    message = f"{what} is not available; {INSTALL_HINT}"
    if tools_required():
        pytest.fail(f"CA_EDITOR_REQUIRE_TOOLS=1 but {message}", pytrace=False)
    pytest.skip(message)


def vnu_command() -> list[str]:
    jar = Path(os.environ["VNU_JAR"]) if os.environ.get("VNU_JAR") else DEFAULT_VNU_JAR
    if not jar.is_absolute() and not jar.is_file():
        jar = REPO_ROOT / jar  # the Makefile passes a path relative to the repository root
    if not jar.is_file():
        missing(f"the Nu HTML checker ({jar})")
    java = shutil.which("java")
    if java is None:
        missing("java (needed to run the Nu HTML checker)")
    return [str(java), "-jar", str(jar)]


def pages(bundle: Path) -> list[Path]:
    found = sorted(bundle.rglob("*.html"))
    assert len(found) > 5, "the demo bundle should have a section page, story pages and archive pages"
    return found


@pytest.fixture(scope="module")
def bundle(shared_demo_bundle: Path) -> Path:
    return shared_demo_bundle


def run_vnu(files: list[Path]) -> list[dict[str, object]]:
    completed = subprocess.run(
        [*vnu_command(), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # vnu writes its JSON report to stderr; exit 1 means it found errors, other codes mean it broke.
    report = completed.stderr.strip() or completed.stdout.strip()
    assert completed.returncode in (0, 1), f"vnu failed to run ({completed.returncode}): {report[:2000]}"
    try:
        messages = json.loads(report)["messages"] if report else []
    except (json.JSONDecodeError, KeyError) as exc:
        raise AssertionError(f"vnu gave no JSON report: {report[:2000]}") from exc
    if completed.returncode == 1:
        assert messages, f"vnu exited 1 without messages: {report[:2000]}"
    return messages


def describe(messages: list[dict[str, object]], bundle: Path) -> str:
    lines = []
    for message in messages:
        url = str(message.get("url", "")).removeprefix("file:")
        where = Path(url).relative_to(bundle) if url.startswith(str(bundle)) else url
        lines.append(
            f"{where}:{message.get('lastLine', '?')}: {message.get('type')}: {message.get('message')}"
        )
    return "\n".join(lines)


def test_vnu_finds_no_errors_in_any_page(bundle: Path) -> None:
    files = pages(bundle)
    messages = run_vnu(files)
    assert messages == [], "the Nu HTML checker reports:\n" + describe(messages, bundle.resolve())


def test_vnu_really_checks_the_pages(tmp_path: Path) -> None:
    """Guard the guard: a broken page must produce messages, or the test above proves nothing."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head>"
        '<body><img src="a.png"><p id="d">one</p><p id="d">two</p></body></html>',
        encoding="utf-8",
    )
    messages = run_vnu([broken])
    text = " ".join(str(m.get("message", "")) for m in messages)
    assert "alt" in text
    assert "Duplicate ID" in text


def tidy_command() -> str:
    tidy = shutil.which("tidy")
    if tidy is None:
        missing("HTML Tidy (`tidy`, Debian package tidy)")
    assert tidy is not None
    return tidy


def run_tidy(page: Path) -> tuple[int, list[str]]:
    completed = subprocess.run(
        [tidy_command(), "-q", "-e", "--show-warnings", "yes", str(page)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Exit status: 0 clean, 1 warnings only, 2 errors; anything else means tidy itself failed.
    assert completed.returncode in (0, 1, 2), f"tidy failed on {page}: {completed.stderr[:2000]}"
    lines = [line for line in (completed.stderr + completed.stdout).splitlines() if line.strip()]
    return completed.returncode, lines


def tidy_problems(page: Path) -> list[str]:
    status, lines = run_tidy(page)
    errors = [line for line in lines if " - Error:" in line]
    serious = [
        line for line in lines if " - Warning:" in line and any(w in line for w in SIGNIFICANT_TIDY_WARNINGS)
    ]
    problems = errors + serious
    if status == 2 and not errors:
        problems.append(f"tidy exit 2: {' | '.join(lines)}")
    return problems


def test_tidy_finds_no_errors_in_any_page(bundle: Path) -> None:
    problems = [
        f"{page.relative_to(bundle)}: {problem}" for page in pages(bundle) for problem in tidy_problems(page)
    ]
    assert problems == [], "HTML Tidy reports:\n" + "\n".join(problems)


def test_tidy_really_checks_the_pages(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
        '<body><p id="d">one</p><p id="d">two</p><img src="a.png"><madeup>x</madeup></body></html>',
        encoding="utf-8",
    )
    status, _ = run_tidy(broken)
    assert status == 2
    problems = " ".join(tidy_problems(broken))
    assert "is not recognized" in problems
    assert "already defined" in problems
    assert 'lacks "alt"' in problems


AWKWARD_BODY = """# A heading an editor wrote as the top level {: #intro }

## Again {: #intro }

See the [earlier story](earlier-story.html), the [summit page](https://example.org/summit) and a claim[^1]
that is made twice[^1].

<li>a stray list item</li> and <td>a stray cell</td>, <figcaption>loose</figcaption>

| Country | Capital |
|---|---|
| Kazakhstan | Astana |

Text with a {: #intro } attribute list and an ![image](https://example.org/x.png).

[^1]: The source.
"""


def test_an_awkward_body_still_gives_a_valid_page(services, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from ca_editor.domain.model import StoryFields, StoryStatus

    services.stories.create(
        StoryFields(
            title="Awkward",
            slug="awkward",
            body=AWKWARD_BODY,
            status=StoryStatus.PUBLISHED,
            published_at=datetime(2024, 6, 1, tzinfo=UTC),
        )
    )
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    page = out / "stories" / "awkward.html"

    messages = run_vnu([page])
    assert not messages, describe(messages, out)
