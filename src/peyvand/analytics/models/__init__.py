"""The analytics app's models."""
