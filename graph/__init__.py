"""The child's-picture graph: the Neo4j server Jigsaw runs, the connection to it, and its schema."""
