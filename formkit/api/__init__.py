"""The HTTP API (``formkit serve``, spec http-api.md): the engine over HTTP for the
systems around a centre, with the studio's roles and department scopes.

FastAPI and uvicorn come with the ``[api]`` extra; nothing below this unit imports
them, and ``formkit.api`` itself imports them only when ``create_app`` is called
(``formkit.api.app``). docs/api.md is the guide.
"""
