"""Fuzzing: random and hostile input through every entry point, bounded in time."""
