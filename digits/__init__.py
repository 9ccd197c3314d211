"""Where digits come from: MNIST (``digits.mnist``) and the bundled sample (``digits.sample``)."""
