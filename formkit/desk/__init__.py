"""Desk: helpers for the window clerk and the back-office officer, without Streamlit.

checklist (materials and why), search (find a matter by name or pinyin; needs
the ``studio`` extra for pypinyin).
"""
