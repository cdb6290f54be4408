// Purpose: which of a batch of facts the graph already holds, and the content hash of the version it holds,
//   so the writer sends only new and changed rows (an unchanged row is not rewritten).
// Parameters: $rows: list of fact_key (str)
// Returns: key (str), row_hash (str), one row per key already in the graph
UNWIND $rows AS key
MATCH (n:Fact {fact_key: key})
RETURN key, n.row_hash AS row_hash
