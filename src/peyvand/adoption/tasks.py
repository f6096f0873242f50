"""The adoption app's background jobs."""
