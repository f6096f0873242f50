"""The portal app's background jobs."""
