"""The repository explains itself: every file a docstring, comment or document names is in the repository, every
`docs/...#section` it names is a heading there, and every relative link in the Markdown documents resolves. A
reader who has only a clone never meets a reference to something they do not have."""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED_SUFFIXES = {".py", ".md", ".ts", ".tsx", ".mjs", ".bicep", ".toml", ".yaml", ".yml", ".sh", ".json"}
SCANNED_NAMES = {"Makefile", "run"}  # .ci/run
GENERATED = {"package-lock.json", "web/package-lock.json", "web/src/lib/api/schema.d.ts"}
TOP_LEVEL = ("functions", "shared", "local", "tests", "web", "infra", "bench", "docs", ".ci")
EXTENSIONS = r"(?:py|md|ts|tsx|mjs|json|bicep|toml|yaml|yml|png|html|css|txt|sh|pem)"
# A repository path as prose writes it: `shared/domain/scope.py`, `docs/business.md#the-three-price-tiers`.
REPO_PATH = re.compile(
    rf"(?<![\w./@:-])((?:{'|'.join(re.escape(t) for t in TOP_LEVEL)})/[\w./-]*?\.{EXTENSIONS})(#[\w-]+)?(?![\w/*<{{-])"
)
# A Markdown document named on its own (`business.md`), which must be a repository file too.
BARE_DOCUMENT = re.compile(r"(?<![\w./-])([\w-]+\.md)(?![\w/-])")
# A numbered section of some reference the reader does not have: "(1.2)", "section 6", "sandbox item 16".
SECTION_NUMBER = re.compile(
    r"\b(?:reference )?sections? \d|\bsandbox items? \d|(?<![\w.(])\((?:[1-9]|1[0-2])\.[1-8](?:-\d{1,2}(?:\.\d)?)?\)"
)
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    return sorted(
        name
        for name in listed
        if (ROOT / name).is_file()
        and name not in GENERATED
        and name != "tests/process/test_references.py"  # its own examples of broken references
        and not name.startswith(("node_modules/", "web/node_modules/"))
        and (Path(name).suffix in SCANNED_SUFFIXES or Path(name).name in SCANNED_NAMES)
    )


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|__", "", heading.strip()).lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@cache
def anchors_of(document: Path) -> frozenset[str]:
    text = FENCE.sub("", document.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE):
        base = slug(heading)
        count = seen.get(base, 0)
        anchors.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return frozenset(anchors)


def exists_or_built(relative: str) -> bool:
    """In the repository, or an output the build writes (ignored by git, e.g. `web/dist/index.html`)."""
    if (ROOT / relative).exists():
        return True
    ignored = subprocess.run(["git", "check-ignore", "-q", relative], cwd=ROOT, check=False)
    return ignored.returncode == 0


def broken_references(name: str, text: str) -> list[str]:
    found: list[str] = []
    for match in REPO_PATH.finditer(text):
        path, anchor = match.group(1).rstrip("."), match.group(2)
        if not exists_or_built(path):
            found.append(f"{path} does not exist")
        elif anchor and path.endswith(".md") and anchor[1:] not in anchors_of(ROOT / path):
            found.append(f"{path}{anchor}: no such section")
    found += [
        f"{match.group(0)!r} names a numbered section of no document here" for match in SECTION_NUMBER.finditer(text)
    ]
    for match in BARE_DOCUMENT.finditer(text):
        document = match.group(1)
        here = (ROOT / name).parent
        if not any((base / document).exists() for base in (here, ROOT, ROOT / "docs")):
            found.append(f"{document} is not in the repository")
    return found


def broken_links(name: str, text: str) -> list[str]:
    found: list[str] = []
    here = (ROOT / name).parent
    for target in MARKDOWN_LINK.findall(FENCE.sub("", text)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        document = (here / path).resolve() if path else ROOT / name
        if not document.exists():
            found.append(f"link to {target}: no such file")
        elif anchor and document.suffix == ".md" and anchor not in anchors_of(document):
            found.append(f"link to {target}: no such section")
    return found


FILES = tracked_files()


@pytest.mark.parametrize("name", FILES)
def test_every_file_and_section_a_file_names_is_in_the_repository(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
    problems = broken_references(name, text)
    if name.endswith(".md"):
        problems += broken_links(name, text)
    assert not problems, problems


def test_the_repository_carries_its_licence_and_how_to_contribute() -> None:
    documents = ("LICENSE", "CONTRIBUTING.md", "SECURITY.md", "CHANGELOG.md", "docs/architecture.md",
                 "docs/business.md",
                 "docs/api-guide.md", "docs/partner-center.md", "docs/operations.md")  # fmt: skip
    for document in documents:
        assert (ROOT / document).is_file(), document
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_the_checker_finds_what_it_is_for() -> None:
    """The checks above would pass vacuously if the patterns matched nothing: each kind of break is caught."""
    assert broken_references("shared/x.py", "see `shared/domain/nothing_here.py`") == [
        "shared/domain/nothing_here.py does not exist"
    ]
    assert broken_references("shared/x.py", "(docs/business.md#no-such-section)") == [
        "docs/business.md#no-such-section: no such section"
    ]
    assert broken_references("shared/x.py", "rules in domain.md") == ["domain.md is not in the repository"]
    assert broken_references("shared/x.py", "the token grant (1.2); sections 6-8; sandbox item 16") == [
        "'(1.2)' names a numbered section of no document here",
        "'sections 6' names a numbered section of no document here",
        "'sandbox item 1' names a numbered section of no document here",
    ]
    assert broken_references("shared/x.py", "see shared/domain/scope.py and docs/business.md; sleep(0.5)") == []
    assert broken_links("docs/x.md", "[gone](missing.md) [ok](../README.md) [web](https://example.com)") == [
        "link to missing.md: no such file"
    ]
    assert slug("The three `price` tiers, and rounding") == "the-three-price-tiers-and-rounding"
