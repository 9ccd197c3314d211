#!/usr/bin/env bash
# Train a low-energy configuration for the accuracy-energy frontier (issue: spend less energy than the ANN):
# latency-coded LIF-LIF networks, 25 steps of 1 ms, 1-pixel random shifts, seed 0.
# Checkpoints go to weights/checkpoints/energy-<config>/ after every epoch and a rerun resumes from them
# (they are committed, so a run spans sessions); the trained network is written there as weights.npz.
# Usage: SNN_MNIST_DATA=/path/to/mnist scripts/train_energy.sh CONFIG [EPOCHS] [THREADS]
#   CONFIG  latency-256:      784-256-10, delta synapses, latency code (threshold 0.25, window 10 ms)
#           latency-cuba-256: 784-256-10, cuba synapses (tau_syn 5 ms), the same code, the loss on counts x 3
#           latency-cuba-512: the same 512 neurons wide
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:?name a configuration: latency-256, latency-cuba-256 or latency-cuba-512}"
epochs="${2:-30}"
threads="${3:-1}"
case "$config" in
    latency-256) args=(--hidden 256 --encoding latency --latency-threshold 0.25 --latency-window 10) ;;
    latency-cuba-256) args=(--hidden 256 --synapse cuba --encoding latency --latency-threshold 0.25
                            --latency-window 10 --count-scale 3) ;;
    latency-cuba-512) args=(--hidden 512 --synapse cuba --encoding latency --latency-threshold 0.25
                            --latency-window 10 --count-scale 3) ;;
    *) echo "unknown configuration $config (latency-256, latency-cuba-256, latency-cuba-512)" >&2; exit 2 ;;
esac
ckpt="weights/checkpoints/energy-$config"
resume=()
[ -f "$ckpt/checkpoint.pt" ] && resume=(--resume)
mkdir -p "$ckpt"
snn-mnist train --model lif-lif --steps 25 --dt 1 "${args[@]}" --epochs "$epochs" --shift 1 --seed 0 \
    --threads "$threads" --checkpoint-dir "$ckpt" --out "$ckpt/weights.npz" "${resume[@]}"
