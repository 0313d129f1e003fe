"""Serving exported models: ``zoo serve`` (TF Serving's REST API) and the TF Serving layout.

- :mod:`zoo.serving.repository`: which directories hold which models and versions;
- :mod:`zoo.serving.layout`: :func:`export_serving` (``zoo export-serving``);
- :mod:`zoo.serving.protocol`: the REST API's requests and answers, as pure functions;
- :mod:`zoo.serving.app`: the Starlette app and the uvicorn runner (the ``serve`` extra).
"""

from zoo.serving.layout import export_serving

__all__ = ["export_serving"]
