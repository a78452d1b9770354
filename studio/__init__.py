"""formkit studio: the Streamlit app (package ``formkit_studio``; needs the ``studio`` extra).

``app.py`` is the entry script (``formkit studio DIR`` runs it); ``views/`` holds
one page a task; ``common``, ``editor_widgets`` and ``form_widgets`` are what
the pages share. Pages hold no business logic: every decision comes from formkit.
"""
