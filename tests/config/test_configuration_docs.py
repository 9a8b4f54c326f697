"""docs/configuration.md names every environment variable the app reads."""

import re
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
APP_DIRS = ("config", "cables", "search")
ENV_READ_RE = re.compile(
    r"""(?:env_bool|env_int|env_list|os\.environ\.get|os\.environ\.setdefault|os\.getenv)"""
    r"""\(\s*["']([A-Z][A-Z0-9_]+)["']|os\.environ\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]"""
)


def variables_read_by_the_app() -> set[str]:
    names: set[str] = set()
    for folder in APP_DIRS:
        for path in (PROJECT_DIR / folder).rglob("*.py"):
            for match in ENV_READ_RE.finditer(path.read_text(encoding="utf-8")):
                names.add(match.group(1) or match.group(2))
    return names


def test_the_scan_finds_the_settings_variables():
    assert {
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "CABLESEARCH_DATA_DIR",
    } <= variables_read_by_the_app()


def test_every_variable_is_documented():
    documented = set(
        re.findall(r"`([A-Z][A-Z0-9_]+)`", (PROJECT_DIR / "docs" / "configuration.md").read_text())
    )

    assert sorted(variables_read_by_the_app() - documented) == []
