// Purpose: add agency records of a person (SourceRecord) the graph does not hold yet, keyed by
//   record_key = agency|table|id. MERGE (not CREATE) so that two loads racing on one key still make one node.
// Parameters: $rows: list of {record_key, row_hash, props (map of primitives)};
//   $run: {run_id, learnt_at (datetime)}: the ingest run and when Jigsaw learnt the rows (provenance)
// Returns: raced (list of record_key: rows another load created first, with other content, to be versioned)
UNWIND $rows AS row
MERGE (n:SourceRecord {record_key: row.record_key})
ON CREATE SET n = row.props, n.record_key = row.record_key, n.row_hash = row.row_hash,
  n.ingest_run_id = $run.run_id, n.learnt_at = $run.learnt_at,
  n.valid_from = $run.learnt_at, n.first_learnt_at = $run.learnt_at
WITH n, row WHERE n.row_hash <> row.row_hash
RETURN collect(row.record_key) AS raced
