// Purpose: inside a transaction that is always rolled back, put the links agencies recorded (involvements in
//   facts, relationships between people, residences, household membership) back as Jigsaw knew them at a past
//   time: a link first learnt since then is taken away; a link changed since then takes the version in force
//   then (a RecordVersion whose version_of is the link's identity, as the merge_* ingest statements write it).
// Serves: issue 10 ("as known at"): who was around the child, as each agency had told Jigsaw by then.
// Parameters: $at (datetime)
// Returns: removed (int), restored (int)
CALL () {
  MATCH ()-[l:INVOLVED_IN]->() USING INDEX l:INVOLVED_IN(learnt_at)
  WHERE l.learnt_at > $at AND coalesce(l.first_learnt_at, l.learnt_at) > $at
  DELETE l
  RETURN count(*) AS removed_0
}
CALL () {
  MATCH ()-[l:INVOLVED_IN]->() USING INDEX l:INVOLVED_IN(learnt_at) WHERE l.learnt_at > $at
  WITH l, startNode(l) AS r, endNode(l) AS f
  MATCH (v:RecordVersion {version_of: 'INVOLVED_IN|' + r.record_key + '|' + f.fact_key + '|' + l.role}) WHERE v.learnt_at <= $at AND v.valid_to > $at
  SET l = properties(v)
  REMOVE l.version_key, l.version_of, l.valid_to
  RETURN count(*) AS restored_0
}
CALL () {
  MATCH ()-[l:RELATED_TO]->() USING INDEX l:RELATED_TO(learnt_at)
  WHERE l.learnt_at > $at AND coalesce(l.first_learnt_at, l.learnt_at) > $at
  DELETE l
  RETURN count(*) AS removed_1
}
CALL () {
  MATCH ()-[l:RELATED_TO]->() USING INDEX l:RELATED_TO(learnt_at) WHERE l.learnt_at > $at
  MATCH (v:RecordVersion {version_of: 'RELATED_TO|' + l.link_key}) WHERE v.learnt_at <= $at AND v.valid_to > $at
  SET l = properties(v)
  REMOVE l.version_key, l.version_of, l.valid_to
  RETURN count(*) AS restored_1
}
CALL () {
  MATCH ()-[l:LIVED_AT]->() USING INDEX l:LIVED_AT(learnt_at)
  WHERE l.learnt_at > $at AND coalesce(l.first_learnt_at, l.learnt_at) > $at
  DELETE l
  RETURN count(*) AS removed_2
}
CALL () {
  MATCH ()-[l:LIVED_AT]->() USING INDEX l:LIVED_AT(learnt_at) WHERE l.learnt_at > $at
  MATCH (v:RecordVersion {version_of: 'LIVED_AT|' + l.link_key}) WHERE v.learnt_at <= $at AND v.valid_to > $at
  SET l = properties(v)
  REMOVE l.version_key, l.version_of, l.valid_to
  RETURN count(*) AS restored_2
}
CALL () {
  MATCH ()-[l:MEMBER_OF]->() USING INDEX l:MEMBER_OF(learnt_at)
  WHERE l.learnt_at > $at AND coalesce(l.first_learnt_at, l.learnt_at) > $at
  DELETE l
  RETURN count(*) AS removed_3
}
CALL () {
  MATCH ()-[l:MEMBER_OF]->() USING INDEX l:MEMBER_OF(learnt_at) WHERE l.learnt_at > $at
  WITH l, startNode(l) AS r, endNode(l) AS h
  MATCH (v:RecordVersion {version_of: 'MEMBER_OF|' + r.record_key + '|' + h.household_key}) WHERE v.learnt_at <= $at AND v.valid_to > $at
  SET l = properties(v)
  REMOVE l.version_key, l.version_of, l.valid_to
  RETURN count(*) AS restored_3
}
RETURN removed_0 + removed_1 + removed_2 + removed_3 AS removed, restored_0 + restored_1 + restored_2 + restored_3 AS restored
