"""Every figure the README quotes comes from a file under results/, and every file there from a script.

A figure is a decimal number (97.82, 0.9) or one written with thousands separators (673,101) in the
README's text and tables (code blocks aside); it must appear, as written, in a results/ file. Version
numbers (Python 3.12, Brian2 2.10) are not figures. Every results/ file must be named by a script in
scripts/ (an f-string's ``{...}`` or a shell ``$name`` standing for any text), so that rerunning the
scripts remakes it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
FIGURE = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?![\w.])")
VERSION_BEFORE = re.compile(r"(?:Python|Brian2|brian2|NumPy|numpy|torch|PyTorch|snnTorch|snntorch|brian2cuda|nir|"
                            r"nvcc|CUDA|compute capability|format version)\s*(?:==|>=|<=|<|>)?\s*"
                            r"(?:\d+\.\d+[\w.]*\s*(?:,|and|or|to)\s*)*$")


def readme_text() -> str:
    """The README without code: fenced blocks and inline spans hold commands and parameters, not figures."""
    text = re.sub(r"```.*?```", "", (ROOT / "README.md").read_text(), flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def results_text() -> str:
    return "\n".join(p.read_text(errors="ignore") for p in RESULTS.rglob("*") if p.suffix in (".md", ".json", ".toml"))


def test_every_figure_in_the_readme_is_in_a_results_file():
    text, results = readme_text(), results_text()
    missing = []
    for match in FIGURE.finditer(text):
        if VERSION_BEFORE.search(text[max(0, match.start() - 60) : match.start()]):
            continue
        if match.group(1) not in results:
            line = text[: match.start()].count("\n") + 1
            missing.append(f"README line {line}: {match.group(1)}")
    assert not missing, "figures that no results/ file holds:\n" + "\n".join(missing)


def written_names() -> list[re.Pattern]:
    """File names the scripts write, as patterns."""
    names = set()
    for script in (ROOT / "scripts").iterdir():
        if script.suffix in (".py", ".sh"):
            names |= set(re.findall(r"(?:[\w$\-.]|\{[^}]*\})+\.(?:md|json|png|gif|toml|npz|csv|nir)\b", script.read_text()))
    patterns = []
    for name in names:
        parts = re.split(r"\{[^}]*\}|\$\{?\w+\}?", name)
        patterns.append(re.compile(".*".join(re.escape(part) for part in parts)))
    return patterns


def results_files() -> list[Path]:
    """The files under results/ that the repository holds or would take (what git ignores aside: the
    networks a sweep trains on the way, ``results/sweeps/*.networks/``); all of them outside a checkout."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "results"],
                                cwd=ROOT, capture_output=True, check=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return sorted(path for path in RESULTS.rglob("*") if path.is_file())
    return sorted(ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file())


def test_every_results_file_is_written_by_a_script():
    patterns = written_names()
    orphans = [str(path.relative_to(RESULTS)) for path in results_files()
               if not any(p.fullmatch(path.name) for p in patterns)]
    assert not orphans, f"results/ files that no script in scripts/ names: {orphans}"
