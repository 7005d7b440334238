"""Cold start: every handler's cold import against ``import boto3``, and the layers' size.

Run ``python -m bench.cold_start_bench`` (``make bench`` runs it with the others).

Imports run as on Lambda, with nothing from the dev environment: a fresh interpreter
without ``site`` gets the path a function has, in Lambda's order: the code asset
(``lambdas/``), the dependency layer (``lambdas/requirements.lock`` installed for this
machine), then what the runtime ships (boto3 and its dependencies, at the dev lock's
versions). Both are installed once under ``.bench/`` from the locks, hash-checked.
The environment is a function's in a stage with tracing off (the default).

Each handler module under ``chatmod.handlers`` and ``boto3`` are imported in fresh
interpreters, alternately, several times; the time is measured inside the process
(interpreter start-up left out) and the median is reported as a ratio to boto3's,
which every function pays anyway. Target: the latency paths — before-publish (inside
Ably's publish path) and ``/token`` (every connect) — <= 1.5x ``import boto3``; every
handler's ratio is reported (``*`` marks the targeted ones). Exits 1 if one misses it.

A second table repeats it without bytecode: the layer is built for CPython 3.14 on
machines without it, so it ships no ``.pyc`` and Lambda compiles every module of the
layer and the code asset at each cold start (the runtime's boto3 has its bytecode;
here it compiles too, so that ratio flatters the handlers).

The layers are then bundled from their locks as synth does and measured, unzipped and
zipped, against the 15 MB budget. ``--compare DIR`` adds a "before" column from
another checkout (its ``lambdas/`` and its layer requirements), measured in the same
run. ``--breakdown`` prints each handler's heaviest direct imports (``-X importtime``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pkgutil
import re
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench._measure import scaled, target_status

TARGET_RATIO = 1.5
#: The handlers on a latency path: they import neither pydantic nor the event handler.
LATENCY_PATHS = frozenset({"chatmod.handlers.before_publish", "chatmod.handlers.token"})
LAYER_BUDGET_BYTES = 15_000_000
ROUNDS = scaled(7, 1)
ROUNDS_WITHOUT_BYTECODE = scaled(3, 1)
BASELINE = "boto3"
ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".bench" / "cold_start"

# What the stack sets on a function of a stage with tracing off, plus a region for boto3.
FUNCTION_ENV = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "AWS_DEFAULT_REGION": "eu-west-1",
}


@dataclass(frozen=True, slots=True)
class Layout:
    """The import path of one function: code asset, layer, runtime (Lambda's order)."""

    name: str
    code: Path
    layer: Path
    runtime: Path

    @property
    def path(self) -> list[str]:
        return [str(self.code), str(self.layer), str(self.runtime)]


def handler_modules(code: Path) -> list[str]:
    """Every module of ``chatmod.handlers`` under ``code`` (each is a function's entry point)."""
    return sorted(
        f"chatmod.handlers.{info.name}"
        for info in pkgutil.iter_modules([str(code / "chatmod" / "handlers")])
        if not info.name.startswith("_")
    )


# --- the emulated function path ------------------------------------------------------------


def _pip_target(requirements: str, label: str, *, hashed: bool) -> Path:
    """Install ``requirements`` (text) for this machine into a cached folder; return it."""
    key = hashlib.sha256(requirements.encode()).hexdigest()[:16]
    target = CACHE / f"{label}-{key}"
    if (target / ".complete").exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=CACHE, delete=False) as handle:
        handle.write(requirements)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--only-binary=:all:", "--target", str(target), "-r", handle.name]
    if hashed:
        command += ["--require-hashes", "--no-deps"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    finally:
        os.unlink(handle.name)
    if result.returncode != 0:
        raise RuntimeError(f"pip could not install {label} into {target}:\n{result.stderr}")
    (target / ".complete").touch()
    return target


def runtime_packages() -> Path:
    """boto3 and what it needs, as the Lambda runtime ships them (dev lock versions)."""
    from stacks import locks

    entries = locks.entries(locks.DEV.path)
    text = "".join(entries[name] for name in locks.RUNTIME_PROVIDED)
    return _pip_target(text, "runtime", hashed=True)


def layer_packages(checkout: Path) -> Path:
    """The dependency layer of ``checkout``, from its lock (or, in older trees, requirements)."""
    lock = checkout / "lambdas" / "requirements.lock"
    if lock.exists():
        return _pip_target(lock.read_text(), "layer", hashed=True)
    unlocked = (checkout / "lambdas" / "requirements.txt").read_text()
    return _pip_target(unlocked, "layer", hashed=False)


def layout(name: str, checkout: Path) -> Layout:
    return Layout(name, checkout / "lambdas", layer_packages(checkout), runtime_packages())


# --- timing --------------------------------------------------------------------------------


def import_ms(module: str, where: Layout, *, bytecode: bool = True) -> float:
    """Milliseconds a fresh interpreter takes to import ``module``, measured inside it.

    Without ``bytecode``, no ``.pyc`` is read or written: every module compiles from
    source, as modules in a layer without bytecode for its Python do on Lambda.
    """
    code = (
        f"import sys; sys.path[0:0] = {where.path!r}; import time; t = time.perf_counter(); "
        f"import {module}; print(time.perf_counter() - t)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env.update(FUNCTION_ENV)
    env.pop("LAMBDA_TASK_ROOT", None)
    command = [sys.executable, "-S"]
    with tempfile.TemporaryDirectory() as scratch:
        if not bytecode:
            command += ["-X", f"pycache_prefix={scratch}"]
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        result = subprocess.run(  # noqa: S603
            [*command, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=scratch
        )
    return float(result.stdout.strip().splitlines()[-1]) * 1000


def medians(
    modules: Sequence[str], layouts: Sequence[Layout], rounds: int, *, bytecode: bool
) -> dict[tuple[str, str], float]:
    """Median ms per (layout, module); each module is timed right after the baseline."""
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for module in modules:
            for where in layouts:
                for name in (BASELINE, module):
                    value = import_ms(name, where, bytecode=bytecode)
                    samples.setdefault((where.name, name), []).append(value)
    return {key: statistics.median(values) for key, values in samples.items()}


def print_import_table(
    title: str, modules: Sequence[str], result: Mapping[tuple[str, str], float], columns: list[str]
) -> bool:
    """Print ms and the ratio to boto3 per column; True when the last column meets the target."""
    header = "".join(f"{column + ' ms':>13} {'x boto3':>8}" for column in columns)
    print(f"\n{title}\n{'module':<36}{header}")
    met = True
    for module in [BASELINE, *modules]:
        cells = ""
        for column in columns:
            ms = result.get((column, module))
            if ms is None:
                cells += f"{'-':>13} {'-':>8}"
                continue
            ratio = ms / result[(column, BASELINE)]
            cells += f"{ms:>13.0f} {ratio:>7.2f}x"
            if column == columns[-1] and module in LATENCY_PATHS and ratio > TARGET_RATIO:
                met = False
        name = f"import {module} (baseline)" if module == BASELINE else module
        name += " *" if module in LATENCY_PATHS else ""
        print(f"{name:<36}{cells}")
    return met


def importtime_children(module: str, where: Layout, top: int = 6) -> list[tuple[str, int]]:
    """The heaviest direct imports of ``module`` (cumulative µs) from one ``-X importtime`` run."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env.update(FUNCTION_ENV)
    code = f"import sys; sys.path[0:0] = {where.path!r}; import {module}"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-S", "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    rows = []
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((len(match.group(2)), match.group(3), int(match.group(1))))
    # -X importtime prints children before their parent, one level deeper (two spaces).
    index = next(i for i, (_, name, _) in enumerate(rows) if name == module)
    depth = rows[index][0]
    children: list[tuple[str, int]] = []
    for level, name, micros in reversed(rows[:index]):
        if level <= depth:
            break
        if level == depth + 2:
            children.append((name, micros))
    return sorted(children, key=lambda item: -item[1])[:top]


# --- layer size ----------------------------------------------------------------------------


def tree_size(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def zipped_size(root: Path) -> int:
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(root).as_posix())
        return handle.tell()


def layer_sizes() -> list[tuple[str, int, int]]:
    """Bundle each layer from its lock for Lambda's platform, as synth does, and measure it."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from aws_cdk import DockerImage

    from stacks.bundling import LAYER_LOCK, TRACING_LAYER_LOCK, PipLayerBundler
    from stacks.functions import ARCHITECTURE, runtime_python_version

    sizes = []
    for name, lock in (
        ("dependency layer", LAYER_LOCK),
        ("tracing layer (tracing.enabled only)", TRACING_LAYER_LOCK),
    ):
        with tempfile.TemporaryDirectory() as out:
            bundler = PipLayerBundler(
                lock, python_version=runtime_python_version(), architecture=ARCHITECTURE
            )
            bundler.try_bundle(out, image=DockerImage.from_registry("unused"))
            sizes.append((name, tree_size(Path(out)), zipped_size(Path(out))))
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="fresh processes per module")
    parser.add_argument("--compare", metavar="DIR", help="also measure the checkout in DIR")
    parser.add_argument("--breakdown", action="store_true", help="heaviest imports per handler")
    parser.add_argument("--no-layers", action="store_true", help="skip bundling the layers")
    args = parser.parse_args(argv)

    layouts = [layout("now", ROOT)]
    if args.compare:
        layouts.insert(0, layout("before", Path(args.compare).resolve()))
    modules = sorted({m for where in layouts for m in handler_modules(where.code)})
    columns = [where.name for where in layouts]

    def present(where: Layout) -> list[str]:
        return [m for m in modules if m in handler_modules(where.code)]

    cached: dict[tuple[str, str], float] = {}
    for where in layouts:
        cached.update(medians(present(where), [where], args.rounds, bytecode=True))
    met = print_import_table(
        f"cold import, bytecode cached (median of {args.rounds} fresh processes each)",
        modules,
        cached,
        columns,
    )
    compiled: dict[tuple[str, str], float] = {}
    for where in layouts:
        compiled.update(medians(present(where), [where], ROUNDS_WITHOUT_BYTECODE, bytecode=False))
    print_import_table(
        f"cold import without bytecode, as the layer runs on Lambda "
        f"(median of {ROUNDS_WITHOUT_BYTECODE})",
        modules,
        compiled,
        columns,
    )
    if args.breakdown:
        for where in layouts:
            print(f"\nheaviest direct imports, {where.name} (one -X importtime run, ms)")
            for module in present(where):
                parts = ", ".join(
                    f"{name} {micros / 1000:.0f}"
                    for name, micros in importtime_children(module, where)
                )
                print(f"  {module}: {parts}")
    if not args.no_layers:
        print(f"\n{'layer':<38}{'unzipped MB':>12}{'zipped MB':>11}{'of budget':>11}")
        for name, unzipped, zipped in layer_sizes():
            share = f"{unzipped / LAYER_BUDGET_BYTES:>10.2f}x" if "dependency" in name else ""
            print(f"{name:<38}{unzipped / 1e6:>12.1f}{zipped / 1e6:>11.1f}{share}")
        print(f"(budget: {LAYER_BUDGET_BYTES / 1e6:.0f} MB unzipped, the dependency layer)")
    verdict = "met" if met else "MISSED"
    print(
        f"\ntarget: the latency paths (*) <= {TARGET_RATIO}x import boto3, bytecode cached: "
        f"{verdict}"
    )
    return target_status(met)


if __name__ == "__main__":
    sys.exit(main())
