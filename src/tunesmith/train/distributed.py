"""Data-parallel training: relaunch a command under torchrun, and the rank facts a run needs to write files once.

`torchrun --nproc_per_node N` starts N processes with RANK/WORLD_SIZE set; the transformers Trainer inside each
finds them and wraps the model in DistributedDataParallel (gloo on CPU, NCCL on GPUs). Only rank 0 writes the
run directory; the others train and exit.
"""

from __future__ import annotations

import os
import subprocess
import sys


def world_size() -> int:
    """How many training processes torchrun started (1 outside torchrun)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    """This process's global rank (0 outside torchrun)."""
    return int(os.environ.get("RANK", "0"))


def is_main() -> bool:
    """True in the one process that writes the run directory."""
    return rank() == 0


def init_process_group() -> None:
    """Join the torchrun group early (gloo on CPU, NCCL on GPUs), so ranks can wait for rank 0's run directory.

    The Trainer (through accelerate) reuses an existing group. Outside torchrun this does nothing.
    """
    if world_size() <= 1:
        return
    import torch
    import torch.distributed as dist

    if dist.is_initialized():
        return
    if torch.cuda.is_available():
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group("nccl")
    else:
        dist.init_process_group("gloo")


def barrier() -> None:
    """Wait for every rank (a no-op outside torchrun)."""
    if world_size() > 1:
        import torch.distributed as dist

        dist.barrier()


def torchrun_command(nproc: int, tunesmith_args: list[str]) -> list[str]:
    """The command that runs `tunesmith <tunesmith_args>` in `nproc` data-parallel processes on this machine."""
    return [
        sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
        "-m", "tunesmith", *tunesmith_args,
    ]  # fmt: skip


def launch(nproc: int, tunesmith_args: list[str]) -> int:
    """Run `tunesmith <tunesmith_args>` under torchrun with `nproc` processes; its exit status."""
    env = dict(os.environ)
    if "OMP_NUM_THREADS" not in env:  # torchrun would set 1; share this machine's cores between the ranks instead
        env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // nproc))
    return subprocess.run(torchrun_command(nproc, tunesmith_args), env=env).returncode
