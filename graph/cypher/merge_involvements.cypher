// Purpose: link an agency's record of a person to a fact, with the person's role in it (victim, suspect,
//   witness, subject, present, reporter, parent_carer, ...). Provenance sits on the relationship too.
// Parameters: $rows: list of {idx (int), record_key, fact_key, role, props (map)}
//   $run: {run_id, learnt_at (datetime)}: the ingest run and when Jigsaw learnt the rows (provenance)
// Returns: written (list of idx whose both ends exist; the others refer to records not loaded)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
MATCH (f:Fact {fact_key: row.fact_key})
MERGE (r)-[i:INVOLVED_IN {role: row.role}]->(f)
WITH row, i, any(k IN keys(row.props)
  WHERE coalesce(i[k] <> row.props[k], (i[k] IS NULL) <> (row.props[k] IS NULL))) AS changed
// a link seen again unchanged keeps the provenance of the run that brought it; a changed one takes this run's
SET i += row.props,
  i.ingest_run_id = CASE WHEN changed THEN $run.run_id ELSE i.ingest_run_id END,
  i.learnt_at = CASE WHEN changed THEN $run.learnt_at ELSE i.learnt_at END
RETURN collect(row.idx) AS written
