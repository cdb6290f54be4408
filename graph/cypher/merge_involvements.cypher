// Purpose: link an agency's record of a person to a fact, with the person's role in it (victim, suspect,
//   witness, subject, present, reporter, parent_carer, ...). Provenance sits on the relationship too.
// Parameters: $rows: list of {idx (int), record_key, fact_key, role, props (map)}
// Returns: written (list of idx whose both ends exist; the others refer to records not loaded)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
MATCH (f:Fact {fact_key: row.fact_key})
MERGE (r)-[i:INVOLVED_IN {role: row.role}]->(f)
SET i += row.props
RETURN collect(row.idx) AS written
