"""The lock files: every Python install comes from one, with hashes, resolved for its platform.

Inputs are small hand-written ``.in`` files; ``make lock`` (``python -m stacks.locks``)
resolves each with ``uv pip compile --generate-hashes`` into its committed ``.lock``:

================================  ==================================  =========================
input                             lock                                resolved for
================================  ==================================  =========================
requirements-dev.in (+ its -r)    requirements-dev.lock               dev and CI: CPython 3.11,
                                                                      x86_64 Linux
requirements.in                   requirements.txt                    the CDK app alone (the
                                                                      CDK convention), within
                                                                      the dev lock
lambdas/requirements.in           lambdas/requirements.lock           the dependency layer:
                                                                      the Lambda runtime's
                                                                      CPython on aarch64
lambdas/requirements-tracing.in   lambdas/requirements-tracing.lock   the tracing layer (same)
bench/requirements.in             bench/requirements.lock             benchmarks, within the
                                                                      dev lock
================================  ==================================  =========================

Each lock ends with a digest of the files it was resolved from, so a test can tell
offline, without resolving anything, that an input changed after its lock was made
(:func:`problems`). ``pip install --require-hashes`` installs them (``make install``,
and the layer bundling in :mod:`stacks.bundling`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import aws_lambda as lambda_

from stacks.functions import ARCHITECTURE, runtime_python_version

ROOT = Path(__file__).resolve().parent.parent

# The dev/CI machine kind (and the Python mypy and ruff target).
DEV_PYTHON_VERSION = "3.11"
DEV_PLATFORM = "x86_64-manylinux_2_28"
# uv's name for the platforms stacks.bundling installs wheels for. Lambda's Python 3.12+
# runtimes run on Amazon Linux 2023 (glibc 2.34), so manylinux_2_28 wheels are safe.
LAMBDA_PLATFORMS = {
    lambda_.Architecture.ARM_64.name: "aarch64-manylinux_2_28",
    lambda_.Architecture.X86_64.name: "x86_64-manylinux_2_28",
}
# What the Lambda Python runtime already ships (boto3 and its dependencies): never in a
# layer, where it would shadow the runtime's copies (see README, "Where boto3 comes from").
RUNTIME_PROVIDED = (
    "boto3",
    "botocore",
    "jmespath",
    "python-dateutil",
    "s3transfer",
    "six",
    "urllib3",
)

DIGEST_PREFIX = "# inputs-sha256: "
HEADER_PREFIX = "#    uv pip compile "


@dataclass(frozen=True, slots=True)
class Lock:
    """One lock file: the input it is resolved from, and for which Python and platform."""

    source: str
    output: str
    python_version: str
    python_platform: str
    options: tuple[str, ...] = ()

    def compile_args(self) -> list[str]:
        """The ``uv`` arguments that write this lock (relative paths: they land in its header)."""
        return [
            "pip",
            "compile",
            self.source,
            "--generate-hashes",
            "--python-version",
            self.python_version,
            "--python-platform",
            self.python_platform,
            *self.options,
            "--output-file",
            self.output,
        ]

    @property
    def path(self) -> Path:
        """The lock file."""
        return ROOT / self.output


def _lambda_lock(source: str, output: str) -> Lock:
    # Wheels only, as pip installs them for the layer; the runtime's own packages left out.
    no_emit = [arg for name in RUNTIME_PROVIDED for arg in ("--no-emit-package", name)]
    return Lock(
        source,
        output,
        runtime_python_version(),
        LAMBDA_PLATFORMS[ARCHITECTURE.name],
        ("--only-binary", ":all:", *no_emit),
    )


DEV = Lock("requirements-dev.in", "requirements-dev.lock", DEV_PYTHON_VERSION, DEV_PLATFORM)
# The CDK app alone, where CDK users look for it (`pip install -r requirements.txt`),
# pinned to the dev lock's versions.
APP = Lock(
    "requirements.in",
    "requirements.txt",
    DEV_PYTHON_VERSION,
    DEV_PLATFORM,
    ("--constraint", "requirements-dev.lock"),
)
LAYER = _lambda_lock("lambdas/requirements.in", "lambdas/requirements.lock")
TRACING_LAYER = _lambda_lock("lambdas/requirements-tracing.in", "lambdas/requirements-tracing.lock")
BENCH = Lock("bench/requirements.in", "bench/requirements.lock", DEV_PYTHON_VERSION, DEV_PLATFORM)
# In this order: the app and bench locks are constrained by the dev lock.
ALL = (DEV, APP, LAYER, TRACING_LAYER, BENCH)


# --- reading requirement files -----------------------------------------------------------

_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")
_INCLUDE = re.compile(r"^(-r|-c|--requirement|--constraint)[\s=]+(\S+)")


def canonical(name: str) -> str:
    """A distribution name as PEP 503 compares it (``Foo_Bar`` → ``foo-bar``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _lines(path: Path) -> Iterator[str]:
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            yield line


def input_files(source: Path) -> list[Path]:
    """``source`` and every file it includes with ``-r`` or ``-c``, recursively, in order."""
    seen: list[Path] = []

    def visit(path: Path) -> None:
        if path in seen:
            return
        seen.append(path)
        for line in _lines(path):
            match = _INCLUDE.match(line)
            if match:
                visit((path.parent / match.group(2)).resolve())

    visit(source.resolve())
    return seen


def direct_requirements(source: Path) -> dict[str, str]:
    """Requirement lines of ``source`` and the files it ``-r``-includes, by canonical name.

    Constraint files (``-c``) are not requirements and are not followed here.
    """
    found: dict[str, str] = {}
    for line in _lines(source):
        include = _INCLUDE.match(line)
        if include:
            if include.group(1) in ("-r", "--requirement"):
                found.update(direct_requirements((source.parent / include.group(2)).resolve()))
            continue
        if line.startswith("-"):
            continue
        name = _NAME.match(line)
        if name:
            found[canonical(name.group(1))] = line
    return found


def pinned(lock: Path) -> dict[str, str]:
    """``{canonical name: version}`` of every ``name==version`` line of a lock file."""
    pins: dict[str, str] = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)", line)
        if match:
            pins[canonical(match.group(1))] = match.group(3)
    return pins


def entries(lock: Path) -> dict[str, str]:
    """Each pinned package's lines in a lock file (``name==version``, hashes, ``# via``)."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==", line)
        if match:
            current = blocks.setdefault(canonical(match.group(1)), [])
            current.append(line)
        elif current is not None and line.startswith(" "):
            current.append(line)
        else:
            current = None
    return {name: "\n".join(lines) + "\n" for name, lines in blocks.items()}


def inputs_digest(lock: Lock) -> str:
    """sha256 over the lock's inputs (paths relative to the repo and contents)."""
    digest = hashlib.sha256()
    for path in input_files(ROOT / lock.source):
        digest.update(Path(os.path.relpath(path, ROOT)).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


# --- staleness ---------------------------------------------------------------------------


def problems(lock: Lock) -> list[str]:
    """Why ``lock`` is stale against its inputs (empty when it is current). Offline and cheap.

    Checks that the header's ``uv pip compile`` command is this module's (same Python,
    platform and options), that the recorded digest matches the inputs, and that every
    input requirement is pinned by a version its specifier allows.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    if not lock.path.exists():
        return [f"{lock.output} is missing"]
    text = lock.path.read_text()
    found: list[str] = []
    expected_command = " ".join(lock.compile_args()[2:])
    header = next((line for line in text.splitlines() if line.startswith(HEADER_PREFIX)), None)
    if header is None or header.removeprefix(HEADER_PREFIX) != expected_command:
        found.append(
            f"{lock.output} was not made by `uv pip compile {expected_command}` "
            f"(its header says {header.removeprefix('#    ') if header else 'nothing'})"
        )
    recorded = next(
        (line.removeprefix(DIGEST_PREFIX) for line in text.splitlines()[::-1]
         if line.startswith(DIGEST_PREFIX)),
        None,
    )  # fmt: skip
    if recorded != inputs_digest(lock):
        found.append(f"{lock.source} (or a file it includes) changed since {lock.output} was made")
    pins = pinned(lock.path)
    for name, line in direct_requirements(ROOT / lock.source).items():
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            found.append(f"{lock.source}: cannot parse {line!r}: {exc}")
            continue
        if name not in pins:
            found.append(f"{lock.output} does not pin {requirement.name} ({line})")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            found.append(f"{lock.output} pins {requirement.name}=={pins[name]}, outside {line!r}")
    return found


# --- make lock ---------------------------------------------------------------------------


def compile_lock(lock: Lock, *, upgrade: bool = False, uv: Sequence[str] | None = None) -> None:
    """Resolve ``lock`` with uv and append the inputs' digest.

    Existing pins are kept where the inputs allow (uv reads the old lock as preferences)
    unless ``upgrade``.

    Raises:
        subprocess.CalledProcessError: uv could not resolve the inputs.
    """
    command = [*(uv or [sys.executable, "-m", "uv"]), *lock.compile_args(), "--quiet"]
    if upgrade:
        command.append("--upgrade")
    # Never download a managed Python: resolving for another version needs none (wheels only).
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_NO_CONFIG": "1"}
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603
    with lock.path.open("a") as out:
        out.write(f"{DIGEST_PREFIX}{inputs_digest(lock)}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m stacks.locks [--upgrade] [--check]``: regenerate (or check) every lock."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--upgrade", action="store_true", help="re-resolve to the newest allowed")
    parser.add_argument("--check", action="store_true", help="only report stale locks")
    args = parser.parse_args(argv)
    if args.check:
        stale = {lock.output: problems(lock) for lock in ALL}
        for output, found in stale.items():
            for problem in found:
                print(f"{output}: {problem}")
        return 1 if any(stale.values()) else 0
    for lock in ALL:
        print(f"lock {lock.output} ({lock.python_platform}, Python {lock.python_version})")
        compile_lock(lock, upgrade=args.upgrade)
    return 0


if __name__ == "__main__":
    sys.exit(main())
