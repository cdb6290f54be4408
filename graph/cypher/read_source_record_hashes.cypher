// Purpose: which of a batch of agency records (SourceRecord) the graph already holds, and the content hash of
//   the version it holds, so the writer sends only new and changed rows (an unchanged row is not rewritten); a
//   record its agency withdrew is held too (withdrawn: true), so that it is not loaded again as new.
// Parameters: $rows: list of record_key (str)
// Returns: key (str), row_hash (str), withdrawn (bool), one row per key already in the graph
UNWIND $rows AS key
OPTIONAL MATCH (n:SourceRecord {record_key: key})
OPTIONAL MATCH (w:Withdrawn {withdrawn_key: key})
WITH key, n, w WHERE n IS NOT NULL OR w IS NOT NULL
RETURN key, coalesce(n.row_hash, w.row_hash) AS row_hash, n IS NULL AS withdrawn
