"""The synthetic county: every agency's extract in the contract formats, with the true answers."""
