"""The adoption app's models."""
