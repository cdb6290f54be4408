// Purpose: where a person lived, per an agency's record: the normalised Address (UPRN or line+postcode)
//   and a time-bounded LIVED_AT (from/to in props, with provenance).
// Parameters: $rows: list of {idx (int), link_key, record_key, address (map with address_key), props (map)}
//   $run: {run_id, learnt_at (datetime)}: the ingest run and when Jigsaw learnt the rows (provenance)
//   A changed link's earlier version becomes a RecordVersion (version_of = the link's identity), closed
//   (valid_to) when this run learnt the change.
// Returns: written (list of idx whose record exists)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
MERGE (a:Address {address_key: row.address.address_key})
ON CREATE SET a += row.address
MERGE (r)-[l:LIVED_AT {link_key: row.link_key}]->(a)
WITH row, l, any(k IN keys(row.props)
  WHERE coalesce(l[k] <> row.props[k], (l[k] IS NULL) <> (row.props[k] IS NULL))) AS changed
// a changed link's earlier version is kept, closed when this run learnt the change ("as known at")
CALL (l, row, changed) {
  WITH row, l WHERE changed AND l.learnt_at IS NOT NULL
  WITH row, l, 'LIVED_AT|' + row.link_key AS link_id
  MERGE (v:RecordVersion {version_key: link_id + '|' + toString(l.learnt_at)})
  ON CREATE SET v += properties(l), v.version_of = link_id, v.valid_to = $run.learnt_at
}
// a link seen again unchanged keeps the provenance of the run that brought it; a changed one takes this run's
SET l += row.props,
  // before learnt_at below changes: the first time is the one held, else this run's
  l.first_learnt_at = coalesce(l.first_learnt_at, l.learnt_at, $run.learnt_at),
  l.ingest_run_id = CASE WHEN changed THEN $run.run_id ELSE l.ingest_run_id END,
  l.learnt_at = CASE WHEN changed THEN $run.learnt_at ELSE l.learnt_at END
RETURN collect(row.idx) AS written
