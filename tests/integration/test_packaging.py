"""The wheel carries db/ and resources/ inside the package and runs an export with no source tree around."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = "ca_editor/_data"
REQUIRED = (
    f"{DATA}/db/env.py",
    f"{DATA}/db/script.py.mako",
    f"{DATA}/db/versions/0001_initial.py",
    f"{DATA}/resources/templates/base.html",
    f"{DATA}/resources/templates/section.html",
    f"{DATA}/resources/templates/story.html",
    f"{DATA}/resources/static/style.css",
    f"{DATA}/resources/demo/stories.jsonl",
    f"{DATA}/resources/demo/section.json",
    "ca_editor/__init__.py",
    "ca_editor/__main__.py",
    "ca_editor/cli.py",
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheelhouse")
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--disable-pip-version-check",
        "-q",
        "-w",
        str(out),
    ]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")  # offline and fast: use the hatchling already installed
    completed = subprocess.run(
        [*command, str(REPO_ROOT)], capture_output=True, text=True, timeout=600, check=False, cwd=out
    )
    assert completed.returncode == 0, f"building the wheel failed:\n{completed.stdout}\n{completed.stderr}"
    wheels = list(out.glob("ca_editor-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_carries_migrations_templates_css_and_demo(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.testzip() is None
        for required in REQUIRED:
            assert required in names, f"{required} is missing from {wheel.name}"
        # Every migration and template of the source tree, byte for byte.
        for folder in ("db/versions", "resources/templates", "resources/static", "resources/demo"):
            for source in sorted((REPO_ROOT / folder).rglob("*")):
                if not source.is_file() or "__pycache__" in source.parts:
                    continue
                name = f"{DATA}/{source.relative_to(REPO_ROOT).as_posix()}"
                assert name in names, f"{name} is missing from the wheel"
                assert archive.read(name) == source.read_bytes(), f"{name} differs from the source tree"
        demo_images = {
            n for n in names if n.startswith(f"{DATA}/resources/demo/images/") and n.endswith(".png")
        }
        expected_images = {
            f"{DATA}/resources/demo/images/{p.name}"
            for p in (REPO_ROOT / "resources" / "demo" / "images").glob("*.png")
        }
        assert expected_images
        assert demo_images == expected_images
        # Nothing of the development tree leaks in.
        assert not [n for n in names if n.startswith(("tests/", ".venv/", ".tools/")) or "__pycache__" in n]
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "ca-editor = ca_editor.cli:main" in archive.read(entry_points).decode()


def test_unpacked_wheel_exports_without_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "CA_EDITOR_DB", "PYTHONSAFEPATH", "PYTHONHOME"}
    }
    env |= {
        "PYTHONPATH": str(site),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "SOURCE_DATE_EPOCH": "1716200000",
        "QT_QPA_PLATFORM": "offscreen",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            cwd=work,
            env=env,
        )

    where = run(
        "-c",
        "import ca_editor, ca_editor.locations as l; print(ca_editor.__file__); print(l.migrations_dir()); "
        "print(l.templates_dir())",
    )
    assert where.returncode == 0, where.stderr
    module_file, migrations, templates = (Path(line) for line in where.stdout.splitlines())
    assert module_file.resolve().is_relative_to(site.resolve()), module_file
    assert migrations.resolve().is_relative_to(site.resolve()), migrations
    assert templates.resolve().is_relative_to(site.resolve()), templates
    assert not module_file.resolve().is_relative_to(REPO_ROOT.resolve())

    database = work / "x.sqlite3"
    out = work / "out"
    exported = run("-m", "ca_editor", "--db", str(database), "export", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "exported" in exported.stdout
    assert (out / "index.html").is_file()
    assert (out / "manifest.json").is_file()
    assert (out / "style.css").read_bytes() == (REPO_ROOT / "resources" / "static" / "style.css").read_bytes()
    assert len(list((out / "stories").glob("*.html"))) == len(
        (REPO_ROOT / "resources" / "demo" / "stories.jsonl").read_text(encoding="utf-8").strip().splitlines()
    )
    assert "Central Asia" in (out / "index.html").read_text(encoding="utf-8")
    assert database.is_file()
    # Nothing was written into the unpacked package or the source tree's data folders.
    assert not list(site.rglob("*.sqlite3"))
