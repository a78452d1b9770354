"""Definitions: catalog YAML files read into validated models, every error placed.

yamldoc (positions) -> model (pydantic) -> loader (files) -> crosscheck (whole
catalog); parsecache makes a second open fast; users reads the sign-in list.
"""
