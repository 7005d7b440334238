"""The dependency layer is built by pip from its lock, for Lambda's platform, without Docker."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import DockerImage
from aws_cdk import aws_lambda as lambda_

from stacks import locks
from stacks.bundling import (
    LAYER_LOCK,
    PRUNED,
    BundlingError,
    PipLayerBundler,
    pip_install_command,
)
from stacks.functions import ARCHITECTURE, runtime_python_version

ELF_MACHINE_AARCH64 = 183
# The unzipped layer's budget (it was 46 MB with boto3, botocore and the X-Ray SDK).
LAYER_BUDGET_BYTES = 15_000_000


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF file"
    return struct.unpack("<H", header[18:20])[0]


def tree_size(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def installed_distributions(site: Path) -> dict[str, str]:
    """``{canonical name: version}`` from the ``*.dist-info`` folders pip left in ``site``."""
    found = {}
    for info in site.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        found[locks.canonical(name)] = version
    return found


def test_pip_command_installs_the_lock_hash_checked_for_lambda_platform(tmp_path):
    command = pip_install_command(
        LAYER_LOCK, tmp_path, python_version="3.14", architecture=lambda_.Architecture.ARM_64
    )

    assert command[1:4] == ["-m", "pip", "install"]
    joined = " ".join(command)
    for expected in (
        "--platform manylinux2014_aarch64",
        "--platform manylinux_2_28_aarch64",
        "--implementation cp",
        "--python-version 3.14",
        "--only-binary=:all:",
        "--require-hashes",
        "--no-deps",
        f"--requirement {LAYER_LOCK}",
        f"--target {tmp_path}",
    ):
        assert expected in joined


def test_a_bundling_failure_carries_pips_message(tmp_path):
    requirements = tmp_path / "requirements.lock"
    requirements.write_text(
        f"this-package-does-not-exist-chatmod==0.0.0 --hash=sha256:{'0' * 64}\n"
    )
    bundler = PipLayerBundler(requirements, python_version="3.14", architecture=ARCHITECTURE)

    with pytest.raises(BundlingError, match="this-package-does-not-exist-chatmod"):
        bundler.try_bundle(str(tmp_path / "out"), image=DockerImage.from_registry("unused"))


def test_a_requirement_without_a_hash_is_refused(tmp_path):
    requirements = tmp_path / "requirements.lock"
    requirements.write_text("pyee==13.0.1\n")
    bundler = PipLayerBundler(requirements, python_version="3.14", architecture=ARCHITECTURE)

    with pytest.raises(BundlingError, match=r"[Hh]ashes are required"):
        bundler.try_bundle(str(tmp_path / "out"), image=DockerImage.from_registry("unused"))


@pytest.mark.bundling
def test_a_wheel_whose_hash_differs_from_the_lock_is_refused(tmp_path):
    requirements = tmp_path / "requirements.lock"
    requirements.write_text(f"pyee==13.0.1 --hash=sha256:{'0' * 64}\n")
    bundler = PipLayerBundler(requirements, python_version="3.14", architecture=ARCHITECTURE)

    with pytest.raises(BundlingError, match="DO NOT MATCH THE HASHES"):
        bundler.try_bundle(str(tmp_path / "out"), image=DockerImage.from_registry("unused"))


@pytest.mark.bundling
def test_layer_is_exactly_its_lock_for_arm64_python(tmp_path):
    bundler = PipLayerBundler(
        LAYER_LOCK, python_version=runtime_python_version(), architecture=ARCHITECTURE
    )

    assert bundler.try_bundle(str(tmp_path), image=DockerImage.from_registry("unused")) is True

    site = tmp_path / "python"
    for package in ("ably", "aws_lambda_powertools", "pydantic", "pydantic_core", "httpx"):
        assert (site / package / "__init__.py").exists(), package
    # Every pinned version, nothing else: boto3 and its kin come from the runtime.
    assert installed_distributions(site) == locks.pinned(LAYER_LOCK)
    assert not set(installed_distributions(site)) & set(locks.RUNTIME_PROVIDED)
    assert not (site / "aws_xray_sdk").exists()
    for pattern in PRUNED:
        assert not list(site.glob(pattern)), pattern
    assert tree_size(tmp_path) <= LAYER_BUDGET_BYTES, "the layer outgrew its budget"
    # Every native extension is built for this runtime's CPython on aarch64.
    extensions = list(site.rglob("*.so"))
    assert extensions, "pydantic_core at least is native"
    tag = f"cpython-{runtime_python_version().replace('.', '')}"
    for extension in extensions:
        assert elf_machine(extension) == ELF_MACHINE_AARCH64, extension
        if ".cpython-" in extension.name:
            assert tag in extension.name, extension
    # The pure-Python packages import from the layer (native ones can't here: wrong CPU).
    probe = subprocess.run(  # noqa: S603
        [sys.executable, "-I", "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); "
         "import ably, aws_lambda_powertools.event_handler, aws_lambda_powertools.metrics; "
         "print(ably.__file__)", str(site)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip().startswith(str(site))


def test_no_function_serves_the_pruned_swagger_ui():
    sources = (Path(__file__).resolve().parents[2] / "lambdas" / "chatmod").rglob("*.py")

    assert not any("enable_swagger" in source.read_text() for source in sources)
