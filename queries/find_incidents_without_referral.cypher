// Purpose: police incidents with a child involved (any role: present, victim, witness, subject...) after which
//   nothing about that child reached children's social care or early help within $referral_days days: no fact
//   of $receiving_types (contact, referral, early help episode) from $receiving_agencies dated (by its
//   referral_date when it has one, else its date) from the incident to $referral_days after it on the child's
//   records; unless as many such facts give the incident as their referrer's reference, about child records
//   linked to none of the incident's people, as there are children without one (entity resolution kept the
//   children's social care records apart from their police records). Only children
//   in $child_roles count (a child suspect goes to youth justice, not necessarily to social care). When the
//   officer recorded no children present (children_present = false), a young person of $young_person_age or
//   over named as victim or subject (not as present) is not counted: a 16- or 17-year-old living independently. With $include_residents, also children recorded as living at the incident's
//   address when the incident says children were present but names none of them.
// Serves: NPCC guidance s5 ("the police will always share information about concerns of a child's welfare
//   with Children's Social Care ... In all cases a referral will be made") and s10 (diffusion of
//   responsibility: Solihull's photographs not shared because CSC had "made a home visit").
// Parameters: $incident_types (list of fact types), $referral_days (int), $receiving_types (list),
//   $receiving_agencies (list), $child_roles (list), $young_person_age (int),
//   $include_residents (bool), $reference_date (date: only incidents at least $referral_days old by then),
//   $since (date or null: only incidents on or after it)
// Returns: person_id (the child), fact_key (the incident), occurred_on, how (list of {role, record_key}),
//   referred_to_csc (what the police record says), referral_date (ditto)
MATCH (f:Fact)
WHERE f.fact_type IN $incident_types AND f.agency = 'police'
  AND f.occurred_on <= $reference_date - duration({days: $referral_days})
  AND ($since IS NULL OR f.occurred_on >= $since)
CALL (f) {
  MATCH (f)<-[i:INVOLVED_IN]-(r:SourceRecord)-[:RECORD_OF]->(ch:Person)
  WHERE i.role IN $child_roles AND (ch:Unborn
    OR (ch.date_of_birth <= f.occurred_on AND ch.date_of_birth > f.occurred_on - duration({years: 18})))
    AND (coalesce(f.children_present, true) OR i.role = 'present' OR ch:Unborn
      OR ch.date_of_birth > f.occurred_on - duration({years: $young_person_age}))
  RETURN ch, i.role AS role, r.record_key AS record_key
  UNION
  MATCH (f)-[:AT]->(:Address)<-[l:LIVED_AT]-(r:SourceRecord)-[:RECORD_OF]->(ch:Person)
  WHERE $include_residents AND f.children_present = true
    AND ch.date_of_birth <= f.occurred_on AND ch.date_of_birth > f.occurred_on - duration({years: 18})
    AND coalesce(l.from, f.occurred_on) <= f.occurred_on AND coalesce(l.to, f.occurred_on) >= f.occurred_on
  RETURN ch, 'resident_at_address' AS role, r.record_key AS record_key
}
WITH f, ch, collect(DISTINCT {role: role, record_key: record_key}) AS how
WHERE NOT EXISTS {
  MATCH (ch)<-[:RECORD_OF]-(:SourceRecord)-[:INVOLVED_IN]->(ref:Fact)
  WHERE ref.fact_type IN $receiving_types AND ref.agency IN $receiving_agencies
    AND coalesce(ref.referral_date, ref.occurred_on) >= f.occurred_on
    AND coalesce(ref.referral_date, ref.occurred_on) <= f.occurred_on + duration({days: $referral_days})
}
WITH f, collect({ch: ch, how: how}) AS unreceived
// referrals that give this incident as their referrer's reference but are about child records linked to none
// of its people: entity resolution kept those records apart from the children's police records. As many as the
// children without a referral: each child's arrived. Fewer: which child's arrived cannot be told, and every
// such child is listed.
CALL (f) {
  OPTIONAL MATCH (ref:Fact)<-[:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(other:Person)
  WHERE ref.referrer_reference = f.source_record_id
    AND ref.fact_type IN $receiving_types AND ref.agency IN $receiving_agencies
    AND coalesce(ref.referral_date, ref.occurred_on) >= f.occurred_on
    AND coalesce(ref.referral_date, ref.occurred_on) <= f.occurred_on + duration({days: $referral_days})
    AND NOT EXISTS { MATCH (f)<-[:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(other) }
  RETURN count(DISTINCT other) AS kept_apart
}
WITH f, unreceived WHERE kept_apart < size(unreceived)
UNWIND unreceived AS u
WITH f, u.ch AS ch, u.how AS how
RETURN ch.person_id AS person_id, f.fact_key AS fact_key, f.occurred_on AS occurred_on, how,
  f.referred_to_csc AS referred_to_csc, f.referral_date AS referral_date
ORDER BY person_id, occurred_on, fact_key
