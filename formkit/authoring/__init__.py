"""Authoring: the studio's editing model, without Streamlit.

drafts (round-trip YAML, saved drafts, live checks) -> steps (one edit each)
-> diff -> publish; saved_examples turns a preview into a test; catalog_view
is what the catalog page lists. Needs the ``studio`` extra (ruamel.yaml).
"""
