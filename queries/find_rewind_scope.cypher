// Purpose: what must be put back to show the graph "as known at" a past time: the persons whose records
//   Jigsaw first learnt or learnt a correction of since then (their resolved details are recomputed from the
//   records as they stood), and the person matches (RECORD_OF) in force only since then, with the history of
//   each record's earlier matches.
// Serves: issue 10 and every child safeguarding practice review's question: what did each agency know, and when?
//   (NPCC guidance s7 and s10: decisions rest on the information available at the time.)
// Parameters: $at (datetime): the past time
// Returns: persons (list of person ids), matches (list of {record_key, person_id, in_force_from, history (list
//   of JSON strings: earlier links, each with person_id, in_force_from or linked_at, in_force_to or unlinked_at)})
CALL () {
  MATCH (r:SourceRecord) WHERE r.first_learnt_at > $at
  RETURN r
  UNION
  MATCH (r:SourceRecord) WHERE r.valid_from > $at
  RETURN r
}
OPTIONAL MATCH (r)-[:RECORD_OF]->(p:Person)
WITH collect(DISTINCT p.person_id) AS persons
CALL () {
  MATCH ()-[l:RECORD_OF]->() USING INDEX l:RECORD_OF(in_force_from) WHERE l.in_force_from > $at
  WITH l, startNode(l) AS r, endNode(l) AS p
  RETURN collect({record_key: r.record_key, person_id: p.person_id, in_force_from: l.in_force_from,
    history: l.history}) AS matches
}
RETURN persons, matches
