// Purpose: people an agency records as one household or family (ssd_family, housing occupants), with
//   the period and the member's role in props.
// Parameters: $rows: list of {idx (int), record_key, household (map with household_key), props (map)}
//   $run: {run_id, learnt_at (datetime)}: the ingest run and when Jigsaw learnt the rows (provenance)
//   A changed link's earlier version becomes a RecordVersion (version_of = the link's identity), closed
//   (valid_to) when this run learnt the change.
// Returns: written (list of idx whose record exists)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
MERGE (h:Household {household_key: row.household.household_key})
ON CREATE SET h += row.household
MERGE (r)-[m:MEMBER_OF]->(h)
WITH row, m, any(k IN keys(row.props)
  WHERE coalesce(m[k] <> row.props[k], (m[k] IS NULL) <> (row.props[k] IS NULL))) AS changed
// a changed link's earlier version is kept, closed when this run learnt the change ("as known at")
CALL (m, row, changed) {
  WITH row, m WHERE changed AND m.learnt_at IS NOT NULL
  WITH row, m, 'MEMBER_OF|' + row.record_key + '|' + row.household.household_key AS link_id
  MERGE (v:RecordVersion {version_key: link_id + '|' + toString(m.learnt_at)})
  ON CREATE SET v += properties(m), v.version_of = link_id, v.valid_to = $run.learnt_at
}
// a link seen again unchanged keeps the provenance of the run that brought it; a changed one takes this run's
SET m += row.props,
  // before learnt_at below changes: the first time is the one held, else this run's
  m.first_learnt_at = coalesce(m.first_learnt_at, m.learnt_at, $run.learnt_at),
  m.ingest_run_id = CASE WHEN changed THEN $run.run_id ELSE m.ingest_run_id END,
  m.learnt_at = CASE WHEN changed THEN $run.learnt_at ELSE m.learnt_at END
RETURN collect(row.idx) AS written
