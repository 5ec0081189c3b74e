"""One portable floating-point path, pinned before PyTorch runs its first operation.

Why: the last bits of a float result depend on which machine code computes it. PyTorch (ATen)
picks SIMD kernels at run time (``DEFAULT`` / ``AVX2`` / ``AVX512``), Intel MKL picks BLAS and
vector-math kernels by CPU, and multi-threaded reductions add in an order that depends on the
thread count. A few hundred training steps amplify those last-bit differences into different
printed numbers, so outputs stored on one x86-64 machine would not reproduce on another.

What is pinned (the smallest set measured to make the course's results independent of the
x86-64 CPU; see the README, section "数值路径"):

========================  ==============  ==================================================
variable                  value           effect
========================  ==============  ==================================================
``ATEN_CPU_CAPABILITY``   ``default``     ATen's portable kernels (no AVX2/AVX-512 variants)
``MKL_CBWR``              ``COMPATIBLE``  MKL's conditional numerical reproducibility: one
                                          SSE2 code path on every Intel and AMD CPU
``ONEDNN_MAX_CPU_ISA``    ``SSE41``       oneDNN (used by a few PyTorch ops) likewise
``NPY_ENABLE_CPU_FEATURES`` ``X86_V2``    NumPy's baseline loops only (x86-64 with NumPy
                                          >= 2.4; takes effect only if NumPy is imported
                                          after nnlib)
``OMP_NUM_THREADS``,      ``1``           one thread: reductions always add in one order
``MKL_NUM_THREADS``
========================  ==============  ==================================================

plus ``torch.set_num_threads(1)``. ATen reads ``ATEN_CPU_CAPABILITY`` at its first tensor
operation and MKL reads ``MKL_CBWR`` at its first call, so the pin works when ``nnlib`` is
imported after ``import torch`` as long as no tensor operation has run yet. :func:`pin_numerics`
checks that it took effect; if it did not, it warns (or, with ``NNLIB_STRICT_NUMERICS=1`` as the
tests set it, raises :class:`NumericsNotPinnedError`).

Opt out with ``NNLIB_NATIVE_NUMERICS=1`` in the environment before starting Python: the native
(faster) kernels are used and printed numbers may differ from the course pages in the last
digits, or more after long trainings; every asserted claim still holds (CI checks that).
"""

from __future__ import annotations

import ctypes
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

PINNED_ENV: dict[str, str] = {
    "ATEN_CPU_CAPABILITY": "default",
    "MKL_CBWR": "COMPATIBLE",
    "ONEDNN_MAX_CPU_ISA": "SSE41",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
"""The environment variables :func:`pin_numerics` sets, with their values."""

NUMPY_ENV = ("NPY_ENABLE_CPU_FEATURES", "X86_V2")
"""Set as well on x86-64 with NumPy >= 2.4, where ``X86_V2`` names NumPy's baseline (other
values make NumPy emit an ImportWarning)."""


def _numpy_env() -> dict[str, str]:
    import platform
    from importlib import metadata

    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return {}
    try:
        major, minor = (int(p) for p in metadata.version("numpy").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return {}
    return dict([NUMPY_ENV]) if (major, minor) >= (2, 4) else {}


PINNED_FINGERPRINT = "35d8d04b96d15ef6"
"""What :func:`fingerprint` returns under the pin (torch 2.13.0 CPU build, x86-64).

Measured on an Intel Xeon with AVX-512, and unchanged there with AVX/AVX2/FMA/AVX-512 hidden from
glibc (``GLIBC_TUNABLES``) and with MKL limited to SSE4.2 or AVX2.
"""

OPT_OUT_VAR = "NNLIB_NATIVE_NUMERICS"
"""Set to ``1`` to keep the native (CPU-dependent) numerics."""

STRICT_VAR = "NNLIB_STRICT_NUMERICS"
"""Set to ``1`` (the test command does) to turn a failed pin into an error."""

_MKL_CBWR_BRANCH = 1  # mkl_cbwr_get(MKL_CBWR_BRANCH) returns the active branch ...
_MKL_CBWR_COMPATIBLE = 3  # ... which is 3 for MKL_CBWR_COMPATIBLE (mkl_service.h)


class NumericsNotPinnedWarning(UserWarning):
    """PyTorch ran an operation before ``nnlib`` was imported, so the pin could not act."""


class NumericsNotPinnedError(RuntimeError):
    """Raised instead of the warning when ``NNLIB_STRICT_NUMERICS=1``."""


@dataclass(frozen=True)
class NumericsState:
    """What :func:`pin_numerics` found after pinning.

    Attributes:
        pinned: the pin was requested (``False`` when opted out).
        aten_capability: ATen's active kernel set (``"DEFAULT"`` when pinned).
        mkl_branch: MKL's active CNR branch (3 = COMPATIBLE), ``None`` if MKL is not reachable
            (for example on ARM, or a PyTorch build without MKL).
        threads: ``torch.get_num_threads()``.
        numpy_pinned: NumPy was imported after the pin, so its baseline loops are in use.
    """

    pinned: bool
    aten_capability: str
    mkl_branch: int | None
    threads: int
    numpy_pinned: bool

    @property
    def ok(self) -> bool:
        """True if every part of the pin that applies on this machine took effect."""
        if not self.pinned:
            return True
        mkl_ok = self.mkl_branch is None or self.mkl_branch == _MKL_CBWR_COMPATIBLE
        # older PyTorch releases name the portable kernel set "NO AVX"
        aten_ok = self.aten_capability in {"DEFAULT", "NO AVX"}
        return aten_ok and mkl_ok and self.threads == 1

    def describe(self) -> str:
        """One line for a learner: mode, ATen kernel set, MKL branch, thread count."""
        mkl = {None: "无 MKL", _MKL_CBWR_COMPATIBLE: "MKL COMPATIBLE"}.get(
            self.mkl_branch, f"MKL 分支 {self.mkl_branch}"
        )
        mode = "固定" if self.pinned else "本机原生"
        return f"数值路径: {mode} (ATen {self.aten_capability}, {mkl}, {self.threads} 线程)"


def _mkl_branch() -> int | None:
    """MKL's active CNR branch via ``mkl_serv_cbwr_get``, or ``None`` if not reachable."""
    import torch

    lib = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    if not lib.is_file():
        return None
    try:
        handle = ctypes.CDLL(str(lib))
        get = handle.mkl_serv_cbwr_get
    except (OSError, AttributeError):
        return None
    get.argtypes = [ctypes.c_int]
    get.restype = ctypes.c_int
    return int(get(_MKL_CBWR_BRANCH))


def opted_out() -> bool:
    """True if the learner asked for native numerics (``NNLIB_NATIVE_NUMERICS=1``)."""
    return os.environ.get(OPT_OUT_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


def pin_numerics() -> NumericsState:
    """Pin the portable numerics path (see the module docstring) and report whether it took.

    Idempotent. Called by ``import nnlib``; a chapter's first cell imports ``nnlib`` before
    anything else, so the pin precedes every tensor operation.

    Returns:
        The :class:`NumericsState` after pinning.

    Raises:
        NumericsNotPinnedError: if the pin could not take effect and ``NNLIB_STRICT_NUMERICS=1``.
    """
    if opted_out():
        import torch

        return NumericsState(
            pinned=False,
            aten_capability=torch.backends.cpu.get_cpu_capability(),
            mkl_branch=_mkl_branch(),
            threads=torch.get_num_threads(),
            numpy_pinned=False,
        )
    numpy_first = "numpy" not in sys.modules
    os.environ.update(PINNED_ENV)
    if numpy_first:
        os.environ.update(_numpy_env())
    import torch

    torch.set_num_threads(1)
    state = NumericsState(
        pinned=True,
        aten_capability=torch.backends.cpu.get_cpu_capability(),
        mkl_branch=_mkl_branch(),
        threads=torch.get_num_threads(),
        numpy_pinned=numpy_first,
    )
    if not state.ok:
        message = (
            "nnlib 无法固定数值路径：在导入 nnlib 之前 PyTorch 已经执行过张量运算 "
            f"({state.describe()})。请重启内核，并让 `import nnlib` 出现在任何张量运算之前；"
            "否则打印的数字可能与课程页面不同。 / nnlib could not pin the numerics path because "
            "torch ran an operation before nnlib was imported: restart the kernel and import "
            f"nnlib first (or set {OPT_OUT_VAR}=1 to use native numerics on purpose)."
        )
        if os.environ.get(STRICT_VAR) == "1":
            raise NumericsNotPinnedError(message)
        warnings.warn(message, NumericsNotPinnedWarning, stacklevel=3)
    return state


def fingerprint() -> str:
    """A 16-hex-digit hash of a fixed set of float32 results: compare it between machines.

    Computes, from ``torch.randn`` with a fixed seed, the element-wise functions the course
    uses (exp, tanh, sigmoid, log1p, sin, GELU, SiLU, softplus, ELU, softmax), a matrix product,
    a column sum and a few steps of gradient descent on a small MLP, and hashes the raw bytes.
    Under the pin it is the same on every x86-64 CPU (``tests/test_numerics.py`` checks it
    against :data:`PINNED_FINGERPRINT`, also with other CPU features simulated); with
    ``NNLIB_NATIVE_NUMERICS=1`` it usually changes with the CPU.
    """
    import hashlib

    import torch
    from torch.nn import functional as F

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(100_000, generator=gen) * 5
    digest = hashlib.sha256(x.numpy().tobytes())
    unary = [torch.exp, torch.tanh, torch.sigmoid, torch.sin, F.gelu, F.silu, F.softplus, F.elu]
    for fn in unary:
        digest.update(fn(x).numpy().tobytes())
    digest.update(torch.log1p(x.abs()).numpy().tobytes())
    digest.update(torch.softmax(x.reshape(-1, 100), dim=-1).numpy().tobytes())
    a, w = x[:8192].reshape(64, 128), x[-32768:].reshape(128, 256)
    digest.update((a @ w).numpy().tobytes())
    digest.update(a.sum(dim=0).numpy().tobytes())
    w1 = (torch.randn(2, 16, generator=gen) * 0.7).requires_grad_()
    w2 = (torch.randn(16, 1, generator=gen) * 0.25).requires_grad_()
    inputs = torch.randn(256, 2, generator=gen)
    target = torch.sin(2 * inputs[:, :1])
    for _ in range(50):
        loss = ((torch.tanh(inputs @ w1) @ w2 - target) ** 2).mean()
        g1, g2 = torch.autograd.grad(loss, [w1, w2])
        with torch.no_grad():
            w1 -= 0.5 * g1
            w2 -= 0.5 * g2
    digest.update(w1.detach().numpy().tobytes() + w2.detach().numpy().tobytes())
    return digest.hexdigest()[:16]
