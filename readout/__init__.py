"""From output spikes to answers: spike-count readout (``readout.spike_count``), accuracy and
confusion matrix (``readout.metrics``), figures (``readout.figures``)."""
