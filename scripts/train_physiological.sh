#!/usr/bin/env bash
# Train a physiological network: 100 ms presentations at dt = 1 ms, white pixels at 100 Hz, conductance
# (coba, default) or current (cuba) synapses (neuron_models/), 1-pixel random shifts, seed 0.
# Checkpoints go to weights/checkpoints/<synapse>-<model>/ after every epoch and a rerun resumes from them
# (they are committed, so a run spans sessions); the trained network is written to the bundled models,
# weights/pretrained/<model>-<synapse>.npz.
# Usage: SNN_MNIST_DATA=/path/to/mnist scripts/train_physiological.sh [MODEL] [EPOCHS] [THREADS] [SYNAPSE]
#        (defaults: lif-lif 30 1 coba). The bundled models were trained with:
#        lif-lif 30, if-lif 15, lif-if 15, if-if 15 (coba) and lif-lif 15 1 cuba.
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-lif-lif}"
epochs="${2:-30}"
threads="${3:-1}"
synapse="${4:-coba}"
ckpt="weights/checkpoints/$synapse-$model"
resume=()
[ -f "$ckpt/checkpoint.pt" ] && resume=(--resume)
mkdir -p "$ckpt"
snn-mnist train --model "$model" --synapse "$synapse" --steps 100 --dt 1 --max-rate 100 --epochs "$epochs" \
    --shift 1 --seed 0 --threads "$threads" --checkpoint-dir "$ckpt" --out "weights/pretrained/$model-$synapse.npz" \
    "${resume[@]}"
