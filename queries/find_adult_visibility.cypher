// Purpose: for each (child, adult) pair, which agencies know the adult at all (hold a record of him), and which
//   of $agencies hold him in relation to the child: a record of the adult from that agency linked to a record
//   of the child or of the child's family (`anchor_ids`): a recorded relationship, the same fact, or the same
//   recorded household. Living at the same address in two unconnected records is not holding him with the child
//   (a GP registration is not a link to the baby's health visiting record: "The myth of invisible men").
// Serves: "The myth of invisible men" (men around a baby unseen by maternity, health visiting and children's
//   social care; records link the child to the mother, not the father or the mother's partner); NPCC guidance
//   s9 case 5.
// Parameters: $pairs: list of {child_id, person_id (the adult), anchor_ids (list of person ids)};
//   $agencies (list: whose records are checked, e.g. csc and health)
// Returns: child_id, person_id, known_to (list of agencies holding any record of the adult), seen_by (list of
//   $agencies holding him in relation to the child or the child's carers)
UNWIND $pairs AS pair
MATCH (:Person {person_id: pair.person_id})<-[:RECORD_OF]-(ar:SourceRecord)
WITH pair, collect(ar) AS records
CALL (pair, records) {
  CALL (pair, records) {
    UNWIND records AS ar
    MATCH (ar)-[:RELATED_TO]-(:SourceRecord)-[:RECORD_OF]->(q:Person)
    WHERE ar.agency IN $agencies AND q.person_id IN pair.anchor_ids
    RETURN ar.agency AS agency
    UNION
    UNWIND records AS ar
    MATCH (ar)-[:INVOLVED_IN]->(:Fact)<-[:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(q:Person)
    WHERE ar.agency IN $agencies AND q.person_id IN pair.anchor_ids
    RETURN ar.agency AS agency
    UNION
    UNWIND records AS ar
    MATCH (ar)-[:MEMBER_OF]->(:Household)<-[:MEMBER_OF]-(:SourceRecord)-[:RECORD_OF]->(q:Person)
    WHERE ar.agency IN $agencies AND q.person_id IN pair.anchor_ids
    RETURN ar.agency AS agency
  }
  RETURN collect(DISTINCT agency) AS seen_by
}
RETURN pair.child_id AS child_id, pair.person_id AS person_id,
  reduce(acc = [], r IN records | CASE WHEN r.agency IN acc THEN acc ELSE acc + r.agency END) AS known_to, seen_by
ORDER BY child_id, person_id
