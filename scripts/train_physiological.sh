#!/usr/bin/env bash
# Train the physiological (conductance-based) LIF-LIF network: 100 ms presentations at dt = 1 ms, white
# pixels at 100 Hz, coba synapses (neuron_models/coba.py), 1-pixel random shifts, seed 0. Checkpoints go
# to weights/checkpoints/coba-lif-lif/ after every epoch; rerunning resumes from them (the checkpoint is
# committed, so a run spans sessions).
# Usage: SNN_MNIST_DATA=/path/to/mnist scripts/train_physiological.sh [EPOCHS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-30}"
threads="${2:-1}"
ckpt=weights/checkpoints/coba-lif-lif
resume=()
[ -f "$ckpt/checkpoint.pt" ] && resume=(--resume)
mkdir -p "$ckpt"
snn-mnist train --model lif-lif --synapse coba --steps 100 --dt 1 --max-rate 100 --epochs "$epochs" --shift 1 \
    --seed 0 --threads "$threads" --checkpoint-dir "$ckpt" --out runs/coba-lif-lif.npz "${resume[@]}"
