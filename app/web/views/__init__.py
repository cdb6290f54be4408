"""The app's pages; each has page(session, purpose)."""
