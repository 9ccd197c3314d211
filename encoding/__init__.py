"""Image -> spikes: Poisson rate coding (``encoding.poisson``)."""

from .poisson import DEFAULT_MAX_RATE_HZ, EncodingError, frozen_spikes, rates_hz, spike_probabilities

__all__ = ["DEFAULT_MAX_RATE_HZ", "EncodingError", "frozen_spikes", "rates_hz", "spike_probabilities"]
