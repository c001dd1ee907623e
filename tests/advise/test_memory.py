"""The memory terms for a tiny model, added up by hand, and the activation formula against Korthikanti et al."""

from __future__ import annotations

from tunesmith.advise.memory import CHUNK_BYTES, CPU_ALLOCATOR_FACTOR, CPU_RUNTIME_BYTES, block_bytes, memory_terms
from tunesmith.advise.plan import Batch, resolve_setup
from tunesmith.advise.shape import ModelShape, inspect_model
from tunesmith.config.methods import FullConfig, LoraConfig

# tiny_config: embeddings 100 × 64 = 6,400; per layer q 4,096, k 2,048, v 2,048, o 4,096, gate/up/down 8,192 each,
# two norms 128 = 36,992; two layers and the final norm: 6,400 + 73,984 + 64 = 80,448 parameters.
PARAMS = 80_448
LINEAR_PER_LAYER = 4_096 + 2_048 + 2_048 + 4_096 + 3 * 8_192  # 36,864
BATCH = Batch(rows=2, length=8, tokens=14, labelled=4)


def terms(config, method, device="cpu", **setup):
    shape = inspect_model(config, method)
    plan = resolve_setup(device, True, method.name, method.name == "full", prompt_learning=False, **setup)
    return shape, {t.name: t.bytes for t in memory_terms(shape, plan, BATCH)}


def test_full_fine_tuning_terms_by_hand(tiny_config):
    shape, got = terms(tiny_config, FullConfig())
    assert shape.total_params == shape.trainable_params == PARAMS
    assert got["weights"] == PARAMS * 4  # fp32: the optimizer's master weights are the weights
    assert got["gradients"] == PARAMS * 4
    assert got["optimizer"] == PARAMS * 8  # AdamW: two fp32 moments
    assert got["autocast copies"] == 2 * LINEAR_PER_LAYER * 2  # bf16 copy of each trained matmul weight
    # Per token and block, bf16 autocast over an fp32 residual (eager attention at 8 tokens):
    #   norms 2 × (fp32 input copy 4·64 + normalised input for the weight's gradient 4·64 + rstd 4) = 1,032
    #   attention: q, k, v each cast their own bf16 input 3·2·64 = 384; q, k, v 2·(4 + 2·2)·16 = 256;
    #              fp32 softmax plus its bf16 copy (4 + 2)·4 heads·8 = 192; output 2·64 = 128 → 960
    #   MLP: gate and up cast their input 2·2·64 = 256; lean SwiGLU gate, up 2·2·128 = 512; product 2·128 = 256
    per_token = 1_032 + 960 + 1_024
    assert got["activations"] == 16 * per_token * 2  # 2 rows × 8 tokens, 2 blocks
    # labelled-only chunked head: hidden-state gradient and gathered states, one 16 MiB fp32 chunk and its bf16
    # gradient, the (tied, trained) head's fp32 gradient and its bf16 copy
    head = 2 * 4 * 64 * 2 + int(CHUNK_BYTES * 1.5) + 100 * 64 * 4 + 100 * 64 * 2
    assert got["loss head"] == head
    assert got["allocator"] == int((CPU_ALLOCATOR_FACTOR - 1) * (got["activations"] + head))
    assert got["framework"] == CPU_RUNTIME_BYTES


def test_lora_terms_by_hand(tiny_config):
    shape, got = terms(tiny_config, LoraConfig(r=4, dropout=0.0))
    adapters = 2 * (4 * (64 + 64) + 2 * 4 * (64 + 32) + 4 * (64 + 64) + 3 * 4 * (64 + 128))  # 2 layers: 11,264
    assert shape.trainable_params == adapters
    assert got["weights"] == PARAMS * 2 + adapters * 4  # the frozen base in bf16, adapters in fp32
    assert got["optimizer"] == adapters * 8
    # bf16 residual: one shared input per group; norms 2 × (4·64 + 4) = 520; attention 128 + 256 + 2·4·8 + 128
    # = 576; MLP 128 + 512 + 256 = 896; LoRA keeps each B's input, 7 × 2·4 = 56
    assert got["activations"] == 16 * (520 + 576 + 896 + 56) * 2


def test_checkpointing_keeps_each_block_input_and_one_block(tiny_config):
    _, plain = terms(tiny_config, FullConfig())
    _, ckpt = terms(tiny_config, FullConfig(), checkpointing=True)
    per_token = plain["activations"] // 32
    assert ckpt["activations"] == 16 * (4 * 64 * 2 + per_token)


def test_gpu_full_logits_for_prompt_learning_are_tokens_times_vocab(tiny_config):
    from tunesmith.config.methods import PromptTuningConfig

    shape = inspect_model(tiny_config, PromptTuningConfig(num_virtual_tokens=4))
    plan = resolve_setup("cuda", True, "prompt_tuning", False, prompt_learning=shape.prompt_learning)
    got = {t.name: t.bytes for t in memory_terms(shape, plan, BATCH)}
    assert got["loss head"] == 2 * (8 + 4) * 100 * (2 + 4 + 4)  # bf16 logits, fp32 log-softmax, its gradient


def test_megatron_settings_give_korthikanti_34h_plus_5as():
    """Korthikanti et al. 2022, Sec. 4.1, eq. (1): a GPT block keeps sbh(34 + 5as/h) bytes in 16-bit (LayerNorm
    input kept in 16-bit, dropout everywhere, 4h GELU MLP); per token that is 34h + 5as (+ 8 B of norm statistics,
    which the paper leaves out)."""
    h, a, s = 1024, 16, 2048
    shape = ModelShape(
        hidden=h, layers=24, heads=a, kv_heads=a, head_dim=h // a, ffn=4 * h, vocab=50_257, gated_mlp=False,
        total_params=0, trainable_params=0, layer_linear_params=0, quantizable_params=0, head_params=0,
        graph_layers=24, trainable_linear_params=0, norms_train=False, head_trains=False, prompt_learning=False,
    )  # fmt: skip
    kept = block_bytes(shape, compute=2, norm_input=2, norm_output=0, probs=2, length=s, dropout=True)
    assert kept == 34 * h + 5 * a * s + 8


def test_gradients_and_activations_count_as_the_larger_of_the_two():
    from tunesmith.advise.memory import Term, peak_bytes

    fixed = [Term("weights", 10, ""), Term("optimizer", 20, ""), Term("framework", 5, "")]
    small = [Term("activations", 3, ""), Term("loss head", 1, ""), Term("allocator", 1, "")]
    assert peak_bytes([*fixed, Term("gradients", 100, ""), *small]) == 35 + 100
    assert peak_bytes([*fixed, Term("gradients", 2, ""), *small]) == 35 + 5
