"""Every non-trivial read of the sales app, through the permission policy."""
