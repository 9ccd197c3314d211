#!/usr/bin/env bash
# Train the four bundled models on all 60,000 training images and install them as the defaults:
#   weights/pretrained/<model>.npz      the weights files `snn-mnist simulate` loads by default
#   results/training/<model>.json       per-epoch loss and accuracy (plotted by scripts/make_results.py)
# Usage: SNN_MNIST_DATA=/path/to/mnist scripts/train_pretrained.sh [EPOCHS] [MODEL ...]
# The bundled models: images shifted by up to 1 pixel, seed 0, LIF-LIF 60 epochs and the others 40
# (`scripts/train_pretrained.sh 60 lif-lif`, `scripts/train_pretrained.sh 40 if-lif lif-if if-if`). All models train at
# once, one PyTorch thread each (on 2 cores that finishes sooner than one model after the other
# with two threads), logging to $runs/<model>.log. Checkpoints go to $runs/<model>.ckpt
# ($runs: ${SNN_MNIST_RUNS:-runs}); rerunning resumes from them.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-40}"
shift || true
models=("${@:-lif-lif if-lif lif-if if-if}")
runs="${SNN_MNIST_RUNS:-runs}"
mkdir -p "$runs" weights/pretrained results/training
train() {
    local model=$1 resume=()
    [ -f "$runs/$model.ckpt/checkpoint.pt" ] && resume=(--resume)
    snn-mnist train --model "$model" --epochs "$epochs" --shift 1 --seed 0 --threads 1 \
        --checkpoint-dir "$runs/$model.ckpt" --out "weights/pretrained/$model.npz" "${resume[@]}" \
        > "$runs/$model.log" 2>&1
    cp "$runs/$model.ckpt/history.json" "results/training/$model.json"
}
pids=()
for model in ${models[@]}; do
    train "$model" & pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
[ "$status" = 0 ] || echo "train_pretrained: a model failed; see $runs/<model>.log" >&2
exit "$status"
