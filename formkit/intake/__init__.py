"""Intake: what a window does with one application.

forms (form state) -> precheck (the outcome) -> deadlines -> notices (print);
schema (the form as JSON Schema), examples (a matter's own tests), messages.
"""
