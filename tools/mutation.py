"""``make mutation``: mutation testing (mutmut 3) of the decision modules, one table per run.

Each module listed in :data:`MODULES` is mutated and judged against the unit tests
(``tests/unit``): mutmut records which tests reach which function and runs only
those against each mutant, so a module is checked against the tests that cover it.
The handler suite is left out on purpose: a surviving mutant would run every handler
test that touches the pipeline (minutes per mutant); the decisions are pinned by
unit tests, and a decision only a handler test pins is a unit test missing.

mutmut works on a copy of the code, so the run happens in ``.mutation/`` (ignored by
git): ``chatmod`` and ``tests`` linked in, a ``pyproject.toml`` made here (pytest's
settings plus mutmut's). Results are cached there: a second run only judges the
mutants of functions that changed; a change of :data:`MODULES` or :data:`DO_NOT_MUTATE`
starts afresh (mutmut would keep the mutants it made before). ``MODULE=bans make
mutation`` runs one module; ``SAMPLE=3`` judges every third mutant only (the table
says so).

Why mutmut 3 and not cosmic-ray: see docs/testing.md ("Mutation testing").
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / ".mutation"

#: Short name → the module's import path.
#:
#: mutmut 3 mutates only code inside functions and methods: module-level tables and
#: constants (the normaliser's ``HOMOGLYPHS``, ``LEET``, joiners and invisible
#: characters, the generated ``_confusables.CONFUSABLES``) make no mutants. Instead each
#: entry is pinned by a test whose expectation is written out or comes from Unicode's
#: own data (``tests/unit/moderation/test_normalize_tables.py``), and each numeric
#: constant at its edge (``test_normalize.py``, ``TestEdges``).
MODULES: dict[str, str] = {
    "bans": "chatmod.enforcement.bans",
    "pipeline": "chatmod.moderation.pipeline",
    "before_publish": "chatmod.moderation.before_publish",
    "engine": "chatmod.moderation.engine",
    "pace": "chatmod.enforcement.pace",
    "reviews": "chatmod.enforcement.reviews",
    "review_desk": "chatmod.enforcement.review_desk",
    "normalize": "chatmod.moderation.normalize",
    "blocklist": "chatmod.moderation.blocklist",
}

#: Lines mutmut leaves alone, each with why a mutant there is inert (no behaviour to
#: test, so a "survivor" would say nothing about the tests).
DO_NOT_MUTATE: dict[str, str] = {
    # Dataclass flags: frozen/slots change mutability and memory layout, not any
    # decision; mypy (frozen) and the runtime (slots) hold them.
    r"^@dataclass\(": "dataclass flags (frozen, slots) decide no outcome",
    # pydantic model config: extra="ignore" and frozen are checked by the contract's
    # parse tests through the model, not by the decision code.
    r"model_config = ConfigDict\(": "pydantic model flags are not decisions",
    # Type-only imports and annotations.
    r"^if TYPE_CHECKING:": "type-only imports",
    # A Protocol method's body is `...`: there is nothing to run.
    r"\) -> .*: \.\.\.$": "Protocol stubs have no body",
    # normalize.collapse_repeats starts with "no previous character": "", None or
    # "XXXX" all differ from every single character, so no mutant of it changes a result.
    r'^\s+prev = ""$': "a start value that no single character equals",
    # review_desk._strike builds a Submission for pipeline.record_strike, which reads
    # only its ids (sender, room, channel, serial, ref): the text and the source of a
    # strike without a decision reach no event and no store.
    r"^\s+text=item\.text,$": "record_strike reads no text",
    r'^\s+source="review",$': "record_strike reads no source without a decision",
}

#: The tests every mutant is judged by (mutmut narrows them per function).
TESTS = ["tests/unit"]

STATUS_KILLED = {"killed", "timeout", "caught by type check"}


def prepare() -> None:
    """The working copy mutmut runs in: links to the code and tests, and its settings."""
    WORKDIR.mkdir(exist_ok=True)
    for name, target in (("chatmod", ROOT / "lambdas" / "chatmod"), ("tests", ROOT / "tests")):
        link = WORKDIR / name
        if not link.is_symlink():
            link.symlink_to(target, target_is_directory=True)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_settings = project["tool"]["pytest"]["ini_options"]
    only = [
        f"chatmod/{path.removeprefix('chatmod.').replace('.', '/')}.py" for path in MODULES.values()
    ]
    lines = [
        "# Made by tools/mutation.py for `make mutation`; not edited by hand.",
        "[tool.pytest.ini_options]",
        *(f"{key} = {_toml(value)}" for key, value in pytest_settings.items()),
        "",
        "[tool.mutmut]",
        'source_paths = ["chatmod"]',
        f"only_mutate = {_toml(only)}",
        f"pytest_add_cli_args_test_selection = {_toml(TESTS)}",
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]',
        # Fork workers from a process that never ran a test: the tests' thread pools
        # (adapters.aws) do not survive a fork, and a mutant must not time out on them.
        'process_isolation = "forkserver"',
        f"do_not_mutate_patterns = {_toml(list(DO_NOT_MUTATE))}",
        "",
    ]
    settings = WORKDIR / "pyproject.toml"
    text = "\n".join(lines)
    if settings.exists() and settings.read_text(encoding="utf-8") != text:
        # mutmut remakes a module's mutants only when its source changed, not when the
        # settings did: a new module or DO_NOT_MUTATE line would be ignored. Start afresh.
        shutil.rmtree(WORKDIR / "mutants", ignore_errors=True)
    settings.write_text(text, encoding="utf-8")


def _toml(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return str(value)


def mutmut(*args: str, capture: bool = False, check: bool = True) -> str:
    """Run mutmut in the working copy."""
    command = [str(Path(sys.executable).with_name("mutmut")), *args]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    # The venv's own mutmut, with arguments made here: no untrusted input.
    done = subprocess.run(  # noqa: S603
        command, cwd=WORKDIR, env=env, check=check, capture_output=capture, text=True
    )
    return done.stdout or ""


def results() -> dict[str, str]:
    """Mutant name → status, as mutmut last recorded them."""
    out = mutmut("results", "--all", "true", capture=True)
    found: dict[str, str] = {}
    for line in out.splitlines():
        match = re.match(r"\s*(\S+): (.+)$", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def module_of(mutant: str) -> str | None:
    for short, path in MODULES.items():
        if mutant.startswith(path + "."):
            return short
    return None


def sampled(names: Sequence[str], every: int) -> list[str]:
    """Every ``every``-th mutant of each function, in a stable order."""
    return [name for index, name in enumerate(sorted(names)) if index % every == 0]


def table(statuses: dict[str, str], modules: Sequence[str], every: int) -> str:
    rows = [
        "| module | mutants run | killed | survived | no tests | score |",
        "|---|---|---|---|---|---|",
    ]
    for short in modules:
        counts = Counter(status for name, status in statuses.items() if module_of(name) == short)
        run = sum(n for status, n in counts.items() if status != "not checked")
        killed = sum(counts[status] for status in STATUS_KILLED)
        survived = counts["survived"]
        judged = killed + survived + counts["no tests"] + counts["suspicious"]
        score = f"{100 * killed / judged:.1f} %" if judged else "-"
        label = f"{MODULES[short]}" + (f" (every {every}th)" if every > 1 else "")
        rows.append(f"| {label} | {run} | {killed} | {survived} | {counts['no tests']} | {score} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", choices=sorted(MODULES), help="one module (default: all)")
    parser.add_argument("--sample", type=int, default=1, help="judge every N-th mutant only")
    parser.add_argument("--clean", action="store_true", help="forget cached results first")
    args = parser.parse_args(argv)
    if args.sample < 1:
        parser.error("--sample must be at least 1")
    if args.clean and WORKDIR.exists():
        shutil.rmtree(WORKDIR)
    prepare()
    modules = [args.module] if args.module else list(MODULES)
    # No names: mutmut judges what it has no result for (new or changed functions).
    # Names (one module, a sample): mutmut judges those again.
    selected = [f"{MODULES[short]}.*" for short in modules] if args.module else []
    if args.sample > 1:
        # Generate the mutants and the test statistics: mutmut has no command for that
        # alone, so ask for a mutant that does not exist (it stops there, refusing the
        # name); then name the sample to run.
        mutmut("run", "chatmod.__no_such_mutant__", capture=True, check=False)
        names = [n for n in results() if module_of(n) in modules]
        selected = sampled(names, args.sample)
    mutmut("run", *selected)
    statuses = {name: status for name, status in results().items() if module_of(name) in modules}
    if args.sample > 1:
        chosen = set(selected)
        statuses = {name: status for name, status in statuses.items() if name in chosen}
    print()
    print(table(statuses, modules, args.sample))
    survivors = sorted(
        name
        for name, status in statuses.items()
        if status != "killed" and status not in STATUS_KILLED
    )
    if survivors:
        print(
            f"\nNot killed ({len(survivors)}); `cd .mutation && mutmut show NAME` shows the change:"
        )
        for name in survivors:
            print(f"  {name}: {statuses[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
