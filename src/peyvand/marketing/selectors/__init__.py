"""The marketing app's selectors."""
