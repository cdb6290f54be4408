"""One writer per agency: true events in, the agency's files (in the contract formats) out."""
