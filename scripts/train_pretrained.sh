#!/usr/bin/env bash
# Train the four bundled models on all 60,000 training images and install them as the defaults:
#   weights/pretrained/<model>.npz      the weights files `snn-mnist simulate` loads by default
#   results/training/<model>.json       per-epoch loss and accuracy (plotted by scripts/make_results.py)
# Usage: SNN_MNIST_DATA=/path/to/mnist scripts/train_pretrained.sh [EPOCHS] [MODEL ...]
# Checkpoints go to ${SNN_MNIST_RUNS:-runs}/<model>.ckpt; rerunning resumes from them.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-15}"
shift || true
models=("${@:-lif-lif if-lif lif-if if-if}")
runs="${SNN_MNIST_RUNS:-runs}"
mkdir -p "$runs" weights/pretrained results/training
for model in ${models[@]}; do
    resume=()
    [ -f "$runs/$model.ckpt/checkpoint.pt" ] && resume=(--resume)
    python -m cli train --model "$model" --epochs "$epochs" --seed 0 --threads 2 \
        --checkpoint-dir "$runs/$model.ckpt" --out "weights/pretrained/$model.npz" "${resume[@]}"
    cp "$runs/$model.ckpt/history.json" "results/training/$model.json"
done
