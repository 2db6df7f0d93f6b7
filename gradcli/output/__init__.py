"""Render a derivation for the user: text, LaTeX, NumPy, JSON and the pretty console."""
