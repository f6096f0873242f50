"""The portal app's forms."""
