"""The child's-picture graph: the Neo4j server Jigsaw runs, the connection to it, and its schema."""

from graph.dates import use_python_dates

# before any connection is opened: each builds its table of how to read values then (see graph/dates.py)
use_python_dates()
