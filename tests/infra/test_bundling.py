"""The dependency layer is built by pip for Lambda's platform, without Docker."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import DockerImage
from aws_cdk import aws_lambda as lambda_

from stacks.bundling import REQUIREMENTS, BundlingError, PipLayerBundler, pip_install_command
from stacks.functions import ARCHITECTURE, runtime_python_version

ELF_MACHINE_AARCH64 = 183


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF file"
    return struct.unpack("<H", header[18:20])[0]


def test_pip_command_targets_lambda_platform_with_wheels_only(tmp_path):
    command = pip_install_command(
        REQUIREMENTS, tmp_path, python_version="3.14", architecture=lambda_.Architecture.ARM_64
    )

    assert command[1:4] == ["-m", "pip", "install"]
    joined = " ".join(command)
    for expected in (
        "--platform manylinux2014_aarch64",
        "--platform manylinux_2_28_aarch64",
        "--implementation cp",
        "--python-version 3.14",
        "--only-binary=:all:",
        f"--target {tmp_path}",
    ):
        assert expected in joined


def test_a_bundling_failure_carries_pips_message(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("this-package-does-not-exist-chatmod==0.0.0\n")
    bundler = PipLayerBundler(requirements, python_version="3.14", architecture=ARCHITECTURE)

    with pytest.raises(BundlingError, match="this-package-does-not-exist-chatmod"):
        bundler.try_bundle(str(tmp_path / "out"), image=DockerImage.from_registry("unused"))


@pytest.mark.bundling
def test_layer_bundles_ably_and_powertools_for_arm64_python(tmp_path):
    bundler = PipLayerBundler(
        REQUIREMENTS, python_version=runtime_python_version(), architecture=ARCHITECTURE
    )

    assert bundler.try_bundle(str(tmp_path), image=DockerImage.from_registry("unused")) is True

    site = tmp_path / "python"
    for package in ("ably", "aws_lambda_powertools", "pydantic", "pydantic_core", "httpx"):
        assert (site / package / "__init__.py").exists(), package
    # boto3 and botocore come as the pinned pair (the layer's botocore shadows the runtime's).
    assert len(list(site.glob("boto3-1.44.5.dist-info"))) == 1
    assert len(list(site.glob("botocore-1.44.5.dist-info"))) == 1
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
         "import sys; sys.path.insert(0, sys.argv[1]); import ably, aws_lambda_powertools; "
         "print(ably.__file__)", str(site)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip().startswith(str(site))
