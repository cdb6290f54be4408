// Purpose: apply an agency's correction of records the graph holds (a different row_hash): the version held
//   becomes a RecordVersion closed (valid_to) when Jigsaw learnt the new one, so history is never lost.
//   The same corrected row again changes nothing (its hash now matches).
// Parameters: $rows: list of {record_key, row_hash, props (map of primitives)};
//   $run: {run_id, learnt_at (datetime)}
// Returns: updated (int)
UNWIND $rows AS row
MATCH (n:SourceRecord {record_key: row.record_key})
WHERE n.row_hash <> row.row_hash
WITH n, row, n.first_learnt_at AS first, n.record_key + '|' + n.row_hash AS version_key
MERGE (v:RecordVersion {version_key: version_key})
ON CREATE SET v += properties(n), v.version_key = version_key, v.version_of = n.record_key,
  v.valid_to = $run.learnt_at
MERGE (n)-[:PREVIOUS_VERSION]->(v)
SET n = row.props, n.record_key = row.record_key, n.row_hash = row.row_hash,
  n.ingest_run_id = $run.run_id, n.learnt_at = $run.learnt_at,
  n.valid_from = $run.learnt_at, n.first_learnt_at = first
RETURN count(n) AS updated
