// Purpose: which of a batch of agency records (SourceRecord) the graph already holds, and the content hash of
//   the version it holds, so the writer sends only new and changed rows (an unchanged row is not rewritten).
// Parameters: $rows: list of record_key (str)
// Returns: key (str), row_hash (str), one row per key already in the graph
UNWIND $rows AS key
MATCH (n:SourceRecord {record_key: key})
RETURN key, n.row_hash AS row_hash
