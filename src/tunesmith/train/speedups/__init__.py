"""CPU and GPU speed-ups for training, one module each, each saying why it exists and how it was measured.

- `labelled_head`: the LM head runs only where a label is (SFT on CPU); `chunked_head` applies it in chunks.
- `lean_layers`, `lean_attention`: RMSNorm, SwiGLU and eager attention that keep fewer activations (CPU memory).
- `attention`: the attention kernel per batch length on CPU; `kernels`: lean on CPU, Liger on GPUs.
- `allocator`: glibc's mmap threshold fixed, so freed activations go back to the system.
- `sft_trainer`: TRL's SFTTrainer with the above switched on where they apply.
Each is checked against the plain path it replaces by a test in tests/train/.
"""
