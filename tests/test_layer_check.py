"""scripts/check-layer-arch on a `sam build` output: arm64 libraries and the runtime's bytecode only."""

from __future__ import annotations

import importlib.util
import py_compile
import subprocess
import sys
from pathlib import Path

from sauti_dev.template import PROJECT_ROOT, load_template

CHECK = PROJECT_ROOT / "scripts" / "check-layer-arch"
AARCH64_ELF = b"\x7fELF\x02\x01\x01" + bytes(11) + (183).to_bytes(2, "little") + bytes(44)


def build_output(root: Path) -> Path:
    layer = root / "DependenciesLayer" / "python" / "package"
    layer.mkdir(parents=True)
    (layer / "_speedups.cpython-312-aarch64-linux-gnu.so").write_bytes(AARCH64_ELF)
    (layer / "module.py").write_text("VALUE = 1\n")
    (root / "HealthFunction").mkdir()
    (root / "HealthFunction" / "app.py").write_text("")
    return layer


def check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECK), str(root)], capture_output=True, text=True)


def test_the_check_follows_the_runtime_of_the_template():
    assert load_template().document["Globals"]["Function"]["Runtime"] == "python3.12"
    assert "RUNTIME_MAGIC = 3531" in CHECK.read_text()
    if sys.version_info[:2] == (3, 12):
        assert int.from_bytes(importlib.util.MAGIC_NUMBER[:2], "little") == 3531


def test_bytecode_compiled_by_the_runtimes_python_passes(tmp_path):
    layer = build_output(tmp_path)
    if sys.version_info[:2] == (3, 12):
        py_compile.compile(str(layer / "module.py"), doraise=True)

    result = check(tmp_path)

    assert result.returncode == 0, result.stdout


def test_bytecode_of_another_python_fails_the_check(tmp_path):
    layer = build_output(tmp_path)
    cache = layer / "__pycache__"
    cache.mkdir()
    (cache / "module.cpython-311.pyc").write_bytes((3495).to_bytes(2, "little") + b"\r\n" + bytes(12))

    result = check(tmp_path)

    assert result.returncode == 1
    assert "module.cpython-311.pyc (compiled for cpython-311)" in result.stdout


def test_a_pyc_named_for_the_runtime_but_compiled_by_another_python_fails_the_check(tmp_path):
    layer = build_output(tmp_path)
    cache = layer / "__pycache__"
    cache.mkdir()
    (cache / "module.cpython-312.pyc").write_bytes((3495).to_bytes(2, "little") + b"\r\n" + bytes(12))

    result = check(tmp_path)

    assert result.returncode == 1
    assert "magic number 3495" in result.stdout
