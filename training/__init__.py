"""Training material and helpers for the repository (not part of the installed package)."""
