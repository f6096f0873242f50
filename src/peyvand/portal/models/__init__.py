"""The portal app's models."""
