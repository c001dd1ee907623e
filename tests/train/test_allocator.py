"""A training run fixes glibc's mmap threshold: large freed blocks go back to the system instead of the heap."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's malloc"
)

PROBE = """
import ctypes, sys
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                               "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "fixed":
    from tunesmith.train.speedups.allocator import fix_mmap_threshold
    print(fix_mmap_threshold())
libc.free(libc.malloc(30 << 20))  # glibc's own rule: freeing it raises the threshold to 30 MiB
before = libc.mallinfo2().hblkhd
block = libc.malloc(6 << 20)
print(libc.mallinfo2().hblkhd - before >= 6 << 20)  # a 6 MiB tensor: mmapped, or carved from the heap
"""


def _probe(mode: str, **env) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True,
                          env={**os.environ, **env})  # fmt: skip
    return done.stdout.split()


def test_a_fixed_threshold_keeps_large_blocks_out_of_the_heap():
    assert _probe("default") == ["False"]  # glibc alone would put it in the heap, where it stays resident
    assert _probe("fixed") == ["True", "True"]


def test_a_threshold_the_user_set_is_left_alone():
    assert _probe("fixed", MALLOC_MMAP_THRESHOLD_="65536")[0] == "False"


@pytest.mark.parametrize("wanted", [True, False])
def test_the_recipe_key_decides_whether_a_run_fixes_the_threshold(make_recipe, monkeypatch, wanted):
    from tunesmith.progress import SILENT
    from tunesmith.train import setup
    from tunesmith.train.methods import find_method

    calls = []
    monkeypatch.setattr(setup, "fix_mmap_threshold", lambda: calls.append(1))
    recipe = make_recipe(train={"return_freed_memory": wanted})
    setup.check_before_loading(recipe, find_method("lora"), resume=False, overwrite=False, progress=SILENT)
    assert calls == ([1] if wanted else [])
