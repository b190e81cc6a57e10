"""Every ``scalinglab …`` command in README.md and docs/*.md runs as written.

Commands are taken from console lines (``$ scalinglab …``), code-block lines and inline code
spans that start with ``scalinglab``. They run in a clean directory laid out like a fresh
clone (``examples/`` copied, an empty ``docs/img/``), in document order, so a file one
command writes is there for the next. Which ones actually run:

- fast ones (the patterns in :data:`FAST`, seconds each) run as written and must exit 0;
- synopses (placeholders such as ``FILE.csv``, ``A``, ``a|b``, ``...``), commands needing a
  file the docs do not provide, and slow commands run ``--help`` of their command instead;
- a command whose group does not exist (yet) is skipped with its name as the reason.

Docs other helpers add are picked up automatically.
"""

from __future__ import annotations

import functools
import re
import shlex
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Documented commands that finish in seconds and run as written (regex on the command).
FAST = [
    r"^exponents\b",
    r"^mrs predict\b",
    r"^mrs linear-model\b",
    r"^figure --list\b",
    r"^fit llama3\S* .*--method (varpro|approach2|approach3)\b(?!.*--bootstrap)",
    r"^spectrum digits(?!.*--kernel)(?!.*--features)",
    r"^sgd predict .*--dim 200\b",
    r"^sgd simulate .*--dim 200\b",
    r"^sweep status\b",
    r"^fit --list-laws\b",
]
PLACEHOLDER = re.compile(r"(\||\.\.\.|…|^\[|^[A-Z]$|^[A-Z_]+(\.[a-z]+)?$|FILE|SPEC|ADDR|DIR$)")
INPUT_SUFFIXES = (".csv", ".npy", ".npz", ".db", ".toml", ".txt", ".json")
OUTPUT_OPTIONS = {"--out", "--plot", "--csv", "--db"}
BUNDLED = {"llama3", "llama3_isoflops_points.csv"}  # data shipped in the package


def _commands() -> list[tuple[str, int, str]]:
    found: list[tuple[str, int, str]] = []
    for doc in DOCS:
        in_code = False
        lines = doc.read_text().splitlines()
        for i, line in enumerate(lines, 1):
            stripped = line.strip()
            if stripped.startswith("```"):
                in_code = not in_code
                continue
            texts = []
            if stripped.startswith("$ scalinglab "):
                j = i
                while stripped.endswith("\\") and j < len(lines):  # shell line continuation
                    stripped = stripped[:-1].rstrip() + " " + lines[j].strip()
                    j += 1
                nxt = lines[j].strip() if j < len(lines) else ""
                # a documented failure: the next line is the one-line error it prints
                texts.append(stripped[2:] + (f" ==> {nxt}" if nxt.startswith("error") else ""))
            elif in_code and stripped.startswith("scalinglab "):
                texts.append(stripped)
            elif not in_code:  # inline mentions: run only if complete (see the test)
                texts += [f"{t} ==> mention" for t in re.findall(r"`(scalinglab [^`]+)`", line)]
            for text in texts:
                text = re.split(r"\s+#|\s+->|\s+\(App|\s+&\s*$|\s*&$", text)[0].strip()
                found.append((doc.name, i, text))
    return found


COMMANDS = _commands()


@functools.cache
def _tree():
    import typer

    from scalinglab.cli import app

    return typer.main.get_command(app)


def _path_and_rest(tokens: list[str], root) -> tuple[list[str], list[str]]:
    path, cmd = [], root
    for tok in tokens:
        subs = getattr(cmd, "commands", None)
        if not subs or tok not in subs:
            break
        path.append(tok)
        cmd = subs[tok]
    return path, tokens[len(path) :]


@pytest.fixture(scope="module")
def clean_dirs(tmp_path_factory):
    dirs: dict[str, Path] = {}

    def get(doc: str) -> Path:
        if doc not in dirs:
            d = tmp_path_factory.mktemp(doc.replace(".", "_"))
            shutil.copytree(ROOT / "examples", d / "examples")
            (d / "docs" / "img").mkdir(parents=True)
            dirs[doc] = d
        return dirs[doc]

    return get


def test_found_the_documented_commands():
    assert len(COMMANDS) >= 40
    assert any(doc == "README.md" for doc, _, _ in COMMANDS)


@pytest.mark.parametrize("doc,line,text", COMMANDS, ids=[f"{d}:{n}" for d, n, _ in COMMANDS])
def test_documented_command(doc, line, text, run_cli, clean_dirs, monkeypatch):
    text, _, expect = text.partition(" ==> ")
    tokens = shlex.split(text)[1:]
    root = _tree()
    path, rest = _path_and_rest(tokens, root)
    if not path:
        group = tokens[0] if tokens else ""
        if group.startswith("-"):
            code, _, err = run_cli(*tokens)
            assert code == 0, f"{doc}:{line}: {text}\n{err}"
            return
        pytest.skip(f"command group '{group}' does not exist (yet)")
    where = clean_dirs(doc)
    monkeypatch.chdir(where)
    joined = " ".join(tokens)
    placeholder = any(PLACEHOLDER.search(t) for t in rest if not t.startswith("--"))
    missing_input = []
    prev = ""
    for t in rest:
        if t.endswith(INPUT_SUFFIXES) and prev not in OUTPUT_OPTIONS and not Path(t).exists():
            if t not in BUNDLED:
                missing_input.append(t)
        prev = t
    fast = any(re.search(p, joined) for p in FAST)
    mention_only = expect == "mention" and not rest
    if placeholder or missing_input or not fast or mention_only:
        code, out, err = run_cli(*path, "--help")
        assert code == 0 and "Usage:" in out, f"{doc}:{line}: {' '.join(path)} --help\n{err}"
        return
    code, out, err = run_cli(*tokens)
    if expect.startswith("error"):
        assert code == 2, f"{doc}:{line}: {text}: documented as failing, exit {code}"
        assert err.strip() == expect, f"{doc}:{line}: message changed: {err.strip()!r}"
        return
    assert code == 0, f"{doc}:{line}: {text}\nexit {code}: {err}"
