// Purpose: an identifier an analyst could search each given person by (an NHS number, else a UPN, from any of
//   the person's records): what the case-page benchmark types into the app's search box.
// Serves: issue 7's benchmark (the case page ready in under 2 seconds at 200,000 children).
// Parameters: $person_ids: list of str
// Returns: person_id, nhs_number, upn (each null when no record holds one)
UNWIND $person_ids AS pid
MATCH (p:Person {person_id: pid})<-[:RECORD_OF]-(r:SourceRecord)
WITH pid, collect(r.nhs_number) AS nhs, collect(r.upn) AS upn
RETURN pid AS person_id, nhs[0] AS nhs_number, upn[0] AS upn
