// Purpose: an agency's withdrawal of records or facts it sent (entered in error, the wrong person): never
//   erased, closed. The version held becomes a RecordVersion closed (valid_to) when Jigsaw learnt of the
//   withdrawal (with its labels); the node keeps its links and properties but trades its labels for
//   Withdrawn (withdrawn_key = its key, withdrawn_labels = what it was), so no question of the current picture
//   reaches it, and "as known at" an earlier time restores it. Withdrawing again changes nothing.
// Parameters: $rows: list of {idx (int), key (agency|table|source id), props (map: withdrawn_on,
//   withdrawal_reason, withdrawn_by_role, withdrawal_notice)}; $run: {run_id, learnt_at (datetime)}
// Returns: written (list of idx whose record or fact is withdrawn, now or before)
UNWIND $rows AS row
OPTIONAL MATCH (f:Fact {fact_key: row.key})
OPTIONAL MATCH (r:SourceRecord {record_key: row.key})
OPTIONAL MATCH (w:Withdrawn {withdrawn_key: row.key})
WITH row, coalesce(f, r) AS n, w
CALL (row, n) {
  WITH row, n WHERE n IS NOT NULL
  WITH row, n, labels(n) AS was
  MERGE (v:RecordVersion {version_key: row.key + '|' + n.row_hash})
  ON CREATE SET v += properties(n), v.version_key = row.key + '|' + n.row_hash, v.version_of = row.key,
    v.labels = was, v.valid_to = $run.learnt_at
  MERGE (n)-[:PREVIOUS_VERSION]->(v)
  REMOVE n:$(was)
  SET n:Withdrawn, n += row.props, n.withdrawn_key = row.key, n.withdrawn_labels = was,
    n.withdrawn_at = $run.learnt_at, n.valid_from = $run.learnt_at, n.learnt_at = $run.learnt_at,
    n.ingest_run_id = $run.run_id
}
WITH row, n, w WHERE n IS NOT NULL OR w IS NOT NULL
RETURN collect(row.idx) AS written
