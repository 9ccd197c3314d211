"""The local web page of ``snn-mnist serve``: upload a digit and watch the network (``web.server``)."""
