#!/usr/bin/env bash
# Train a physiological (conductance-based) network: 100 ms presentations at dt = 1 ms, white pixels at
# 100 Hz, coba synapses (neuron_models/coba.py), 1-pixel random shifts, seed 0. Checkpoints go to
# weights/checkpoints/coba-<model>/ after every epoch; rerunning resumes from them (the checkpoints are
# committed, so a run spans sessions).
# Usage: SNN_MNIST_DATA=/path/to/mnist scripts/train_physiological.sh [MODEL] [EPOCHS] [THREADS]
#        (defaults: lif-lif 30 1)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-lif-lif}"
epochs="${2:-30}"
threads="${3:-1}"
ckpt="weights/checkpoints/coba-$model"
resume=()
[ -f "$ckpt/checkpoint.pt" ] && resume=(--resume)
mkdir -p "$ckpt" runs
snn-mnist train --model "$model" --synapse coba --steps 100 --dt 1 --max-rate 100 --epochs "$epochs" --shift 1 \
    --seed 0 --threads "$threads" --checkpoint-dir "$ckpt" --out "runs/coba-$model.npz" "${resume[@]}"
