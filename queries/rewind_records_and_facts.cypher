// Purpose: inside a transaction that is always rolled back, put agency records and facts back as Jigsaw knew
//   them at a past time: those first learnt since then are taken away (with their links); those corrected since
//   then take the version in force then (RecordVersion: valid_from <= $at < valid_to), with a fact's labels;
//   those withdrawn by their agency since then are back, in the version in force then, with their labels.
// Serves: issue 10 ("as known at"); corrections never erase: the earlier version is what this restores.
// Parameters: $at (datetime)
// Returns: facts_removed, records_removed, facts_restored, records_restored, withdrawn_removed,
//   withdrawn_restored (int)
CALL () {
  MATCH (n:Fact) WHERE n.first_learnt_at > $at
  DETACH DELETE n
  RETURN count(*) AS facts_removed
}
CALL () {
  MATCH (n:SourceRecord) WHERE n.first_learnt_at > $at
  DETACH DELETE n
  RETURN count(*) AS records_removed
}
CALL () {
  MATCH (n:Fact) WHERE n.valid_from > $at
  MATCH (n)-[:PREVIOUS_VERSION]->(v:RecordVersion) WHERE v.valid_from <= $at AND v.valid_to > $at
  WITH n, v, labels(n) AS now_labels
  SET n = properties(v)
  REMOVE n.version_key, n.version_of, n.valid_to, n.labels
  REMOVE n:$(now_labels)
  SET n:$(coalesce(v.labels, now_labels))
  RETURN count(*) AS facts_restored
}
CALL () {
  MATCH (n:SourceRecord) WHERE n.valid_from > $at
  MATCH (n)-[:PREVIOUS_VERSION]->(v:RecordVersion) WHERE v.valid_from <= $at AND v.valid_to > $at
  SET n = properties(v)
  REMOVE n.version_key, n.version_of, n.valid_to
  RETURN count(*) AS records_restored
}
CALL () {
  MATCH (n:Withdrawn) WHERE n.first_learnt_at > $at
  DETACH DELETE n
  RETURN count(*) AS withdrawn_removed
}
CALL () {
  MATCH (n:Withdrawn) WHERE n.withdrawn_at > $at
  MATCH (n)-[:PREVIOUS_VERSION]->(v:RecordVersion) WHERE v.valid_from <= $at AND v.valid_to > $at
  WITH n, v, n.withdrawn_labels AS was
  SET n = properties(v)
  REMOVE n.version_key, n.version_of, n.valid_to, n.labels
  REMOVE n:Withdrawn
  SET n:$(coalesce(v.labels, was))
  RETURN count(*) AS withdrawn_restored
}
RETURN facts_removed, records_removed, facts_restored, records_restored, withdrawn_removed, withdrawn_restored
