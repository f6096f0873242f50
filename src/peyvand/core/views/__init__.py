"""The core's pages: signing in, home, personal settings, administration, error pages."""
