"""torch's CPU exp where float32 underflows: why train/speedups/chunked_head.py clamps shifted logits at -87 before exp.

    python bench/exp_underflow.py

Times torch.exp over a (85, 49152) float32 tensor (one 16 MB chunk of logits) filled with one value, and a
softmax over a chunk shaped like a trained model's (most logits far below the top one).
"""

from __future__ import annotations

import time

import torch


def best_ms(fn, repeats: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def main() -> None:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("| input value | exp(x) | torch.exp ms |")
    print("|---:|---:|---:|")
    for value in (-1.0, -50.0, -87.0, -87.4, -95.0, -200.0):
        x = torch.full((85, 49152), value)
        print(f"| {value} | {torch.exp(torch.tensor(value)).item():.2e} | {best_ms(lambda x=x: torch.exp(x)):.1f} |")
    torch.manual_seed(0)
    shifted = torch.randn(85, 49152) * 30 - 60  # logits minus the row's top one, for a peaked distribution
    print(f"clamped at -87 then exp: {best_ms(lambda: shifted.clamp(min=-87.0).exp()):.1f} ms")
    print(f"exp unclamped: {best_ms(lambda: shifted.exp()):.1f} ms")


if __name__ == "__main__":
    main()
