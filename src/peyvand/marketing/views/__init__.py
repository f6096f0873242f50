"""The marketing app's views."""
