"""Where llama.cpp's tools come from: its converter scripts and its quantizer.

The converters (convert_hf_to_gguf.py, convert_lora_to_gguf.py) are not in the llama-cpp-python wheel, so they are
taken once from the llama-cpp-python sdist of exactly the installed version (which vendors llama.cpp) and kept in
the tunesmith home, or from a llama.cpp checkout the user names. Types beyond what the converter writes go through
`llama_model_quantize`, the library call llama.cpp's quantize tool wraps, as compiled into llama-cpp-python. Every
use of llama-cpp-python's module goes through `import_llama_cpp`, the one place its absence is explained.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from tunesmith.atomic import atomic_dir
from tunesmith.errors import InputError
from tunesmith.home import tunesmith_home
from tunesmith.progress import SILENT, Progress

DISTRIBUTION = "llama-cpp-python"
# What the converters read at run time, as paths inside the vendored llama.cpp.
CONVERTER_PATHS = ("convert_hf_to_gguf.py", "convert_lora_to_gguf.py", "conversion", "gguf-py", "models/templates")
CONVERTER_TYPES = ("f32", "f16", "bf16", "q8_0")  # written by convert_hf_to_gguf.py itself
# The rest, by llama.cpp's `llama_ftype` names: the quantizer makes them from an f16 GGUF.
QUANTIZER_TYPES = {
    "q4_0": "LLAMA_FTYPE_MOSTLY_Q4_0",
    "q4_1": "LLAMA_FTYPE_MOSTLY_Q4_1",
    "q5_0": "LLAMA_FTYPE_MOSTLY_Q5_0",
    "q5_1": "LLAMA_FTYPE_MOSTLY_Q5_1",
    "q2_k": "LLAMA_FTYPE_MOSTLY_Q2_K",
    "q3_k_s": "LLAMA_FTYPE_MOSTLY_Q3_K_S",
    "q3_k_m": "LLAMA_FTYPE_MOSTLY_Q3_K_M",
    "q3_k_l": "LLAMA_FTYPE_MOSTLY_Q3_K_L",
    "q4_k_s": "LLAMA_FTYPE_MOSTLY_Q4_K_S",
    "q4_k_m": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
    "q5_k_s": "LLAMA_FTYPE_MOSTLY_Q5_K_S",
    "q5_k_m": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
    "q6_k": "LLAMA_FTYPE_MOSTLY_Q6_K",
}
QUANTS = (*CONVERTER_TYPES, *QUANTIZER_TYPES)
LOG_LINES_KEPT = 8


@dataclass(frozen=True)
class Converters:
    """A folder holding llama.cpp's converter scripts (and what they import)."""

    root: Path

    @property
    def model(self) -> Path:
        return self.root / "convert_hf_to_gguf.py"

    @property
    def lora(self) -> Path:
        return self.root / "convert_lora_to_gguf.py"


def check_quant(quant: str) -> str:
    """The quant type in lower case, or an InputError listing the known ones."""
    if quant.lower() not in QUANTS:
        raise InputError("--quant", f"unknown quant type '{quant}'; known: {', '.join(QUANTS)}")
    return quant.lower()


def import_llama_cpp(purpose: str):
    """llama-cpp-python's module, or an InputError saying how to get it and what works without it."""
    try:
        import llama_cpp
    except (ImportError, OSError, RuntimeError) as exc:  # OSError/RuntimeError: its compiled library failed to load
        raise InputError(DISTRIBUTION, missing_message(purpose, exc)) from None
    quiet_logs(llama_cpp)
    return llama_cpp


def missing_message(purpose: str, why: Exception) -> str:
    """Why llama-cpp-python is needed, how it is installed, whether this machine can compile it, and the way round."""
    compiler = next((found for name in ("cc", "gcc", "clang") if (found := shutil.which(name))), None)
    can_compile = (
        f"a C compiler was found ({compiler})"
        if compiler
        else "no C compiler (cc, gcc or clang) was found on PATH: install one first (e.g. build-essential and cmake)"
    )
    return (
        f"{purpose} needs llama-cpp-python, which could not be loaded ({why}); it compiles llama.cpp when it "
        f"installs: pip install 'tunesmith[gguf]' ({can_compile}). Without it, --quant q8_0 (or f16) is written "
        "by llama.cpp's converter alone, with --no-verify"
    )


def installed_version() -> str:
    """The installed llama-cpp-python version (from its metadata: nothing compiled is loaded)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise InputError(
            DISTRIBUTION,
            "llama.cpp's converters are taken from the llama-cpp-python sdist of the installed version, and it is "
            "not installed: pip install 'tunesmith[gguf]', or pass --llama-cpp DIR (a llama.cpp checkout)",
        ) from None


def converters(checkout: str | Path | None = None, progress: Progress = SILENT) -> Converters:
    """The user's llama.cpp checkout, or the converters of the installed llama-cpp-python (fetched once)."""
    if checkout is not None:
        found = Converters(Path(checkout))
        missing = [p.name for p in (found.model, found.lora) if not p.is_file()]
        if missing:
            raise InputError("--llama-cpp", f"{checkout} is not a llama.cpp checkout (no {', '.join(missing)})")
        return found
    version = installed_version()
    cached = Converters(tunesmith_home() / "llama.cpp" / version)
    if not (cached.model.is_file() and cached.lora.is_file()):
        fetch_converters(version, cached.root, progress)
    return cached


def fetch_converters(version: str, target: Path, progress: Progress = SILENT) -> Path:
    """Download the llama-cpp-python `version` sdist with pip and keep only the converters in `target` (atomic)."""
    progress.note(f"Fetching llama.cpp's converters from the llama-cpp-python {version} sdist (once) into {target}")
    with tempfile.TemporaryDirectory(prefix="tunesmith-sdist-") as download:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
        done = subprocess.run(
            [*command, f"{DISTRIBUTION}=={version}", "-d", download], capture_output=True, text=True, check=False
        )
        archives = sorted(Path(download).glob("*.tar.gz"))
        if done.returncode != 0 or not archives:
            raise InputError(
                "llama.cpp converters",
                f"pip could not download the {DISTRIBUTION} {version} sdist ({_last_line(done.stderr)}); connect "
                f"to PyPI once (it is kept in {target}), or pass --llama-cpp DIR (a llama.cpp checkout)",
            )
        with atomic_dir(target) as tmp:
            _extract_converters(archives[0], tmp)
    return target


def _extract_converters(archive: Path, into: Path) -> None:
    """Copy CONVERTER_PATHS from the sdist's vendor/llama.cpp into `into`."""
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        top = members[0].name.split("/")[0]
        vendored = f"{top}/vendor/llama.cpp/"
        wanted = []
        for member in members:
            inner = member.name.removeprefix(vendored)
            kept = any(inner == p or inner.startswith(p + "/") for p in CONVERTER_PATHS)
            if member.name.startswith(vendored) and kept and (member.isfile() or member.isdir()):
                member.name = inner
                wanted.append(member)
        if not any(m.name == "convert_hf_to_gguf.py" for m in wanted):
            raise InputError(str(archive), "this sdist vendors no llama.cpp converters; pass --llama-cpp DIR")
        extract = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(into, members=wanted, **extract)


def convert(script: Path, args: list[str], what: str, progress: Progress = SILENT) -> None:
    """Run one of llama.cpp's converter scripts in this Python; a failure is reported with the end of its log."""
    progress.start(what)
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, check=False)
    progress.finish(what)
    if done.returncode != 0:
        log = "\n".join((done.stderr or done.stdout).strip().splitlines()[-LOG_LINES_KEPT:])
        raise InputError(what, f"llama.cpp's {script.name} failed:\n{log}")


def quantize(source: Path, target: Path, quant: str, threads: int | None = None) -> None:
    """Quantize an f16/f32 GGUF to `quant` with llama.cpp's quantizer (llama-cpp-python's `llama_model_quantize`)."""
    import ctypes

    llama_cpp = import_llama_cpp(f"quantizing to {quant}")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype(llama_cpp, quant)
    params.nthread = threads or 0
    if llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), ctypes.byref(params)) != 0:
        raise InputError(str(source), f"llama.cpp could not quantize it to {quant}")


def ftype(llama_cpp, quant: str) -> int:
    """llama.cpp's `llama_ftype` value for one of QUANTIZER_TYPES."""
    return getattr(llama_cpp, QUANTIZER_TYPES[quant])


def quiet_logs(llama_cpp) -> None:
    """Send llama.cpp's log lines nowhere (the library never prints), through llama.cpp's public `llama_log_set`.

    llama-cpp-python's own callback filters by a level table that no longer matches ggml's levels (warnings print
    even with `verbose=False`), so tunesmith installs a callback that drops every line, once per process.
    """
    global _DISCARD
    if _DISCARD is None:
        import ctypes

        _DISCARD = llama_cpp.llama_log_callback(lambda level, text, user_data: None)
        llama_cpp.llama_log_set(_DISCARD, ctypes.c_void_p(0))


_DISCARD = None  # the installed callback, kept referenced so ctypes does not free it


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"
