// Purpose: link an agency's record of a person to a fact, with the person's role in it (victim, suspect,
//   witness, subject, present, reporter, parent_carer, ...). Provenance sits on the relationship too.
// Parameters: $rows: list of {idx (int), record_key, fact_key, role, props (map)}
//   $run: {run_id, learnt_at (datetime)}: the ingest run and when Jigsaw learnt the rows (provenance)
//   A changed link's earlier version becomes a RecordVersion (version_of = the link's identity), closed
//   (valid_to) when this run learnt the change.
// Returns: written (list of idx whose both ends exist; the others refer to records not loaded)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
MATCH (f:Fact {fact_key: row.fact_key})
MERGE (r)-[i:INVOLVED_IN {role: row.role}]->(f)
WITH row, i, any(k IN keys(row.props)
  WHERE coalesce(i[k] <> row.props[k], (i[k] IS NULL) <> (row.props[k] IS NULL))) AS changed
// a changed link's earlier version is kept, closed when this run learnt the change ("as known at")
CALL (i, row, changed) {
  WITH row, i WHERE changed AND i.learnt_at IS NOT NULL
  WITH row, i, 'INVOLVED_IN|' + row.record_key + '|' + row.fact_key + '|' + row.role AS link_id
  MERGE (v:RecordVersion {version_key: link_id + '|' + toString(i.learnt_at)})
  ON CREATE SET v += properties(i), v.version_of = link_id, v.valid_to = $run.learnt_at
}
// a link seen again unchanged keeps the provenance of the run that brought it; a changed one takes this run's
SET i += row.props,
  // before learnt_at below changes: the first time is the one held, else this run's
  i.first_learnt_at = coalesce(i.first_learnt_at, i.learnt_at, $run.learnt_at),
  i.ingest_run_id = CASE WHEN changed THEN $run.run_id ELSE i.ingest_run_id END,
  i.learnt_at = CASE WHEN changed THEN $run.learnt_at ELSE i.learnt_at END
RETURN collect(row.idx) AS written
