// Purpose: adults (18 or over at $reference_date) named as suspect, subject or offender on police or other
//   events together with at least $min_children different children (named as present, victim, witness or
//   subject), since $since: the candidates for "one adult around several households". The caller counts the
//   households (queries/patterns.py).
// Serves: NPCC guidance s7 ("when multiple children or young people appear linked to the same risk"; "where
//   there may be multiple partners involved in a child's care"); issue 6's "adults central to several
//   households".
// Parameters: $min_children (int), $reference_date (date), $since (date or null)
// Returns: person_id, children (int)
// an adult and a child are two records involved: an event with one (a pupil's absence, most of the county's
// events) is left out by its degree before any person is looked at
MATCH (f:Event)
WHERE f.occurred_on <= $reference_date AND ($since IS NULL OR f.occurred_on >= $since)
  AND COUNT { (f)<-[:INVOLVED_IN]-() } >= 2
MATCH (f)<-[ia:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(a:Person)
WHERE ia.role IN ['suspect', 'subject', 'offender']
  AND NOT a:Unborn AND (a.date_of_birth IS NULL OR a.date_of_birth <= $reference_date - duration({years: 18}))
MATCH (f)<-[ic:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(c:Person)
WHERE c <> a AND ic.role IN ['present', 'victim', 'witness', 'subject']
  AND (c:Unborn OR c.date_of_birth > f.occurred_on - duration({years: 18}))
WITH a, count(DISTINCT c) AS children
WHERE children >= $min_children
RETURN a.person_id AS person_id, children
ORDER BY person_id
