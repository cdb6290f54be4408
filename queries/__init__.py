"""Cypher for the child's picture: one query per .cypher file, loaded by name."""
