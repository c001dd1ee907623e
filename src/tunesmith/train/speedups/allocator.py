"""A fixed mmap threshold for glibc's malloc in a training process: less memory held by freed blocks.

glibc raises its mmap threshold each time a large block is freed (up to 32 MiB), so after the first steps most
activations come from the heap, and a heap that has served tensors of many sizes keeps their freed blocks resident
(only its top can shrink). Fixing the threshold at 4 MiB sends the largest tensors to mmap, which returns them to
the system when freed, while the many small ones still reuse the heap. In bench/train_speed.py it took 60 MiB
(short records) to 150 MiB (long answers) off the peak, at the same speed (README, Speed).
"""

from __future__ import annotations

import ctypes
import os
import platform

MMAP_THRESHOLD_BYTES = 4 * 2**20
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number


def fix_mmap_threshold() -> bool:
    """Set glibc's mmap threshold to 4 MiB for this process; whether it was set.

    Not on other C libraries or systems, and not when MALLOC_MMAP_THRESHOLD_ is already in the environment (the
    user's own choice, which glibc has read at start-up). The recipe key `train.return_freed_memory: false` skips it."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    libc = ctypes.CDLL("libc.so.6")
    return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
