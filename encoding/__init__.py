"""Image -> spikes: Poisson rate coding (``encoding.poisson``) and latency coding (``encoding.latency``),
and the input-code objects a network carries (``encoding.codes``)."""

from .codes import CODES, InputCode, LatencyCode, PoissonCode, code_from_dict
from .poisson import DEFAULT_MAX_RATE_HZ, EncodingError, frozen_spikes, rates_hz, spike_probabilities

__all__ = ["CODES", "DEFAULT_MAX_RATE_HZ", "EncodingError", "InputCode", "LatencyCode", "PoissonCode",
           "code_from_dict", "frozen_spikes", "rates_hz", "spike_probabilities"]
