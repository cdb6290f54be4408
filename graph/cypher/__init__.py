"""Write-side Cypher: one statement per file, named verb_noun, loaded by name (see graph.cypher_files)."""
