#!/usr/bin/env bash
# LLaMA-Factory 0.9.5 from PyPI in its own venv (bench/.llamafactory), for bench/train_speed.py to compare against.
# torch is pinned to the same build as tunesmith's venv, so both tools run the same kernels. PyPI's torchvision and
# torchaudio wheels are built for other torch versions and fail to load; text-only SFT does not need them, so they are
# removed. LLaMA-Factory's multimodal plugin still imports torchaudio at start-up, so a stub module that fails on
# first use takes its place.
set -euo pipefail
cd "$(dirname "$0")"
VENV=.llamafactory
TORCH=$(../.venv/bin/python -c "import torch; print(torch.__version__.split('+')[0])")
[ -x $VENV/bin/python ] || python3 -m venv $VENV
$VENV/bin/pip install --quiet "torch==$TORCH"
echo "torch==$TORCH" > $VENV/constraints.txt
$VENV/bin/pip install --quiet -c $VENV/constraints.txt "llamafactory==0.9.5"
$VENV/bin/pip uninstall --quiet -y torchvision torchaudio || true
SITE=$($VENV/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
mkdir -p "$SITE/torchaudio"
cat > "$SITE/torchaudio/__init__.py" <<'PY'
"""Stub: the benchmark venv's torch has no matching torchaudio; text-only training never touches audio."""
__version__ = "0.0+bench-stub"


def __getattr__(name):
    raise ImportError(f"torchaudio.{name}: audio is not available in bench/.llamafactory (a stub torchaudio)")
PY
$VENV/bin/llamafactory-cli version >/dev/null
echo "LLaMA-Factory ready in bench/$VENV"
