"""Lambda assets built without Docker: pip installs locked wheels for the Lambda platform.

Build machines and many CI runners have no Docker engine, so the layers are bundled
locally with ``pip install --require-hashes --no-deps --platform manylinux…
--only-binary=:all:`` from a lock file resolved for the function's Python version and
architecture (:mod:`stacks.locks`): the same bytes on every machine. There is no Docker
fallback: if pip fails, synth fails with pip's message.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from stacks import locks

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = ROOT / "lambdas"
# The layers' lock files.
LAYER_LOCK = locks.LAYER.path
TRACING_LAYER_LOCK = locks.TRACING_LAYER.path

# The platforms pip may pick wheels for. Lambda's Python 3.12+ runtimes run on
# Amazon Linux 2023 (glibc 2.34), so manylinux_2_28 wheels are safe too.
PLATFORMS = {
    lambda_.Architecture.ARM_64.name: ("manylinux2014_aarch64", "manylinux_2_28_aarch64"),
    lambda_.Architecture.X86_64.name: ("manylinux2014_x86_64", "manylinux_2_28_x86_64"),
}

# Installed files no function reads at run time, removed from the layer to keep it lean:
# console scripts (nothing runs them in Lambda), type stubs, SBOM documents (the lock is
# the record of what the layer holds), and the Swagger UI assets that Powertools serves
# only from ``enable_swagger()``, which chatmod never calls. Globs relative to ``python/``.
PRUNED = (
    "bin",
    "**/*.pyi",
    "*.dist-info/sboms",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui",
)


class BundlingError(RuntimeError):
    """pip could not build the asset; the message carries pip's own output."""


def pip_install_command(
    requirements: Path, target: Path, *, python_version: str, architecture: lambda_.Architecture
) -> list[str]:
    """The pip command that installs the lock ``requirements`` into ``target`` for Lambda.

    Every wheel must match a hash in the lock, and nothing outside the lock is resolved
    (``--no-deps``: the lock already lists every dependency).
    """
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--require-hashes",
        "--no-deps",
        "--requirement",
        str(requirements),
        "--target",
        str(target),
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--only-binary=:all:",
        "--no-compile",
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
    ]
    for platform in PLATFORMS[architecture.name]:
        command += ["--platform", platform]
    return command


@jsii.implements(ILocalBundling)
class PipLayerBundler:
    """Installs a layer's lock file under ``python/`` with pip, on this machine."""

    def __init__(
        self, requirements: Path, *, python_version: str, architecture: lambda_.Architecture
    ) -> None:
        self._requirements = requirements
        self._python_version = python_version
        self._architecture = architecture

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_: object) -> bool:
        """Bundle into ``output_dir``; always succeeds or raises (never falls back to Docker)."""
        command = pip_install_command(
            self._requirements,
            Path(output_dir) / "python",
            python_version=self._python_version,
            architecture=self._architecture,
        )
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise BundlingError(
                f"pip could not bundle {os.path.relpath(self._requirements, ROOT)} for Python "
                f"{self._python_version} on {self._architecture.name}:\n{result.stderr.strip()}"
            )
        prune(Path(output_dir) / "python")
        return True


def prune(site: Path) -> list[Path]:
    """Remove the :data:`PRUNED` paths under ``site``; returns what was removed."""
    removed = []
    for pattern in PRUNED:
        for path in sorted(site.glob(pattern), reverse=True):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def dependency_layer_code(
    *, python_version: str, architecture: lambda_.Architecture, requirements: Path = LAYER_LOCK
) -> lambda_.Code:
    """Code for a dependency layer, bundled with pip from ``requirements`` for the platform.

    The asset hash covers the lock file, the target platform and what is pruned, so an
    unchanged layer is not rebuilt (and dev and prod share one bundle per synth).
    """
    digest = hashlib.sha256()
    digest.update(requirements.read_bytes())
    digest.update(f"{python_version}/{architecture.name}".encode())
    digest.update("\0".join(PRUNED).encode())
    return lambda_.Code.from_asset(
        str(requirements.parent),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=digest.hexdigest(),
        bundling=BundlingOptions(
            # Never pulled: local bundling always succeeds or raises.
            image=DockerImage.from_registry("docker-is-not-used"),
            local=PipLayerBundler(
                requirements, python_version=python_version, architecture=architecture
            ),
        ),
    )


def function_code() -> lambda_.Code:
    """Code for every function: the ``chatmod`` package source, shared as one asset."""
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR),
        exclude=["requirements*", "**/__pycache__", "**/*.pyc", "*.egg-info"],
    )
