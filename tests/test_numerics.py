"""The numerics pin: it takes effect at import, makes results independent of CPU features, and
says clearly when it cannot act."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import nnlib
from nnlib import numerics

X86 = platform.machine().lower() in {"x86_64", "amd64"}
CPUINFO = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with the pin variables cleared, then ``env`` set."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in numerics.PINNED_ENV and k not in {numerics.OPT_OUT_VAR, numerics.STRICT_VAR}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean, timeout=120
    )


FINGERPRINT = "import nnlib; from nnlib.numerics import fingerprint; print(fingerprint())"


def test_import_pins_the_portable_path() -> None:
    state = nnlib.NUMERICS
    assert state.pinned and state.ok
    assert state.aten_capability == "DEFAULT" == torch.backends.cpu.get_cpu_capability()
    assert state.threads == 1 == torch.get_num_threads()
    if state.mkl_branch is not None:
        assert state.mkl_branch == 3  # MKL_CBWR_COMPATIBLE
    for name, value in numerics.PINNED_ENV.items():
        assert os.environ[name] == value
    assert "固定" in state.describe()


@pytest.mark.skipif(not X86, reason="the stored fingerprint is for x86-64")
def test_fingerprint_matches_the_stored_value() -> None:
    assert numerics.fingerprint() == numerics.PINNED_FINGERPRINT


@pytest.mark.skipif(not X86, reason="simulates x86-64 CPU features")
@pytest.mark.parametrize(
    "env",
    [
        # glibc's libm picks FMA/AVX2 variants by CPU: hide them, as on an older CPU
        {"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-AVX512F,-FMA,-AVX"},
        # MKL's own kernel choice, as on an AVX2-only or SSE-only CPU
        {"MKL_ENABLE_INSTRUCTIONS": "AVX2"},
        {"MKL_ENABLE_INSTRUCTIONS": "SSE4_2"},
        # what a user may have set in their shell is overridden by the pin
        {"ATEN_CPU_CAPABILITY": "avx2", "OMP_NUM_THREADS": "2"},
    ],
    ids=["glibc-no-avx", "mkl-avx2", "mkl-sse42", "user-env"],
)
def test_pinned_results_do_not_depend_on_cpu_features(env: dict[str, str]) -> None:
    result = run_python(FINGERPRINT, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == numerics.PINNED_FINGERPRINT
    assert result.stderr == ""


@pytest.mark.skipif(not X86 or "avx2" not in CPUINFO, reason="needs an AVX2 x86-64 CPU")
def test_without_the_pin_results_change_with_the_cpu_path() -> None:
    # Evidence that the pin is needed: the native AVX2 path rounds differently.
    native = run_python(FINGERPRINT, NNLIB_NATIVE_NUMERICS="1", ATEN_CPU_CAPABILITY="avx2")
    assert native.returncode == 0, native.stderr
    assert native.stdout.strip() != numerics.PINNED_FINGERPRINT


LATE = "import torch; torch.ones(2) + 1; import nnlib; print(nnlib.NUMERICS.ok)"


def test_late_import_fails_under_the_tests() -> None:
    result = run_python(LATE, NNLIB_STRICT_NUMERICS="1")
    assert result.returncode != 0
    assert "NumericsNotPinnedError" in result.stderr
    assert "import nnlib" in result.stderr  # says what to do


def test_late_import_warns_a_learner_in_chinese() -> None:
    result = run_python(LATE)
    assert result.returncode == 0
    assert result.stdout.strip() == "False"
    assert "NumericsNotPinnedWarning" in result.stderr and "请重启内核" in result.stderr


def test_import_after_torch_without_operations_still_pins() -> None:
    result = run_python(
        "import torch; import nnlib; print(nnlib.NUMERICS.ok)", NNLIB_STRICT_NUMERICS="1"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_opt_out_keeps_native_numerics() -> None:
    code = "import os, nnlib; print(nnlib.NUMERICS.pinned, 'MKL_CBWR' in os.environ)"
    result = run_python(code, NNLIB_NATIVE_NUMERICS="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
