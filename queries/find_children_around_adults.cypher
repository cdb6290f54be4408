// Purpose: the children around each given adult (children at $reference_date, or unborn): the mirror of
//   find_child_circles for adults. A child is around the adult when an agency recorded a relationship between
//   them (not professional), named them together on a record in a family role, recorded the adult as the
//   partner of the child's parent or carer (or named him as father or partner on a record with that carer, or
//   as the other party in a domestic abuse incident with her, or the suspect in another incident against her at
//   the child's home), named them on the same incident (the adult as
//   suspect, subject or offender; the child present, victim, witness or subject), recorded them at the same
//   address at the same time, or in the same household. Links outside each adult's window are left out.
// Serves: NPCC guidance s7 ("when multiple children or young people appear linked to the same risk"; "where
//   there may be multiple partners involved in a child's care"); linked children through the same adult, and
//   the sweeps for hidden adults and adults linked to several households.
// Parameters: $adults: list of {person_id, from (date), to (date)}; $reference_date (date). A partnership
//   recorded without a start date counts from the day it was recorded, as in find_child_circles.
// Returns: adult_id, child_id, how (list of links, each a list in this order: [kind, type, agency,
//   source_table, source_record_id, record_key, via_person_id, fact_key, address_key, household_key], null where
//   a kind has none: a list, not a map, because an adult sweep reads 215,000 of them at 200,000 children and
//   the map's keys cost the driver more than the values)
UNWIND $adults AS ad
MATCH (a:Person {person_id: ad.person_id})
CALL (a, ad) {
  MATCH (a)<-[:RECORD_OF]-(:SourceRecord)-[l:RELATED_TO]-(cr:SourceRecord)-[:RECORD_OF]->(ch:Person)
  WHERE ch <> a AND l.type <> 'professional'
    AND coalesce(l.from, CASE WHEN l.type IN ['partner', 'ex_partner'] THEN l.recorded_on END, ad.from) <= ad.to
    AND coalesce(l.to, ad.to) >= ad.from
  RETURN ch, ['related_to', l.type, l.agency, l.source_table, l.source_record_id, cr.record_key, null, null,
    null, null] AS how
  UNION
  MATCH (a)<-[:RECORD_OF]-(:SourceRecord)-[i:INVOLVED_IN]->(f:Fact)<-[:INVOLVED_IN]-(cr:SourceRecord)
    -[:RECORD_OF]->(ch:Person)
  WHERE ch <> a AND i.role IN ['mother', 'father', 'parent_carer', 'partner', 'household_member']
    AND (f.occurred_on IS NULL OR f.occurred_on <= ad.to) AND coalesce(f.ended_on, f.occurred_on, ad.from) >= ad.from
  RETURN ch, ['fact_role', i.role, f.agency, f.source_table, f.source_record_id, cr.record_key, null,
    f.fact_key, null, null] AS how
  UNION
  // (separate MATCH clauses: the carer's record holding the partner link may also hold the parent link)
  MATCH (a)<-[:RECORD_OF]-(:SourceRecord)-[l:RELATED_TO]-(:SourceRecord)-[:RECORD_OF]->(k:Person)
  WHERE l.type IN ['partner', 'ex_partner'] AND k <> a
  MATCH (k)<-[:RECORD_OF]-(kr:SourceRecord)-[l2:RELATED_TO]-(cr:SourceRecord)-[:RECORD_OF]->(ch:Person)
  WHERE ch <> a AND ch <> k
    AND ((startNode(l2) = kr AND l2.type IN ['parent', 'step_parent', 'carer'])
      OR (startNode(l2) = cr AND l2.type = 'child'))
    AND coalesce(l.from, l.recorded_on, ad.from) <= ad.to AND coalesce(l.to, ad.to) >= ad.from
    AND coalesce(l2.from, ad.from) <= ad.to AND coalesce(l2.to, ad.to) >= ad.from
  RETURN ch, ['carer_related_to', l.type, l.agency, l.source_table, l.source_record_id, cr.record_key,
    k.person_id, null, null, null] AS how
  UNION
  MATCH (a)<-[:RECORD_OF]-(:SourceRecord)-[i:INVOLVED_IN]->(f:Fact)<-[ik:INVOLVED_IN]-(:SourceRecord)
    -[:RECORD_OF]->(k:Person)
  WHERE k <> a
    AND (i.role IN ['father', 'partner']
      OR (f.fact_type = 'da_incident' AND ik.role IN ['victim', 'suspect'] AND i.role IN ['victim', 'suspect']
          AND ik.role <> i.role))
  MATCH (k)<-[:RECORD_OF]-(kr:SourceRecord)-[l2:RELATED_TO]-(cr:SourceRecord)-[:RECORD_OF]->(ch:Person)
  WHERE ch <> a AND ch <> k
    AND ((startNode(l2) = kr AND l2.type IN ['parent', 'step_parent', 'carer'])
      OR (startNode(l2) = cr AND l2.type = 'child'))
    AND (f.occurred_on IS NULL OR f.occurred_on <= ad.to) AND coalesce(f.ended_on, f.occurred_on, ad.from) >= ad.from
    AND coalesce(l2.from, ad.from) <= ad.to AND coalesce(l2.to, ad.to) >= ad.from
  RETURN ch, ['carer_fact_role', i.role, f.agency, f.source_table, f.source_record_id, cr.record_key,
    k.person_id, f.fact_key, null, null] AS how
  UNION
  // the suspect in an incident at the child's home (where the child lived then) against the child's carer
  MATCH (a)<-[:RECORD_OF]-(:SourceRecord)-[i:INVOLVED_IN]->(f:Event)<-[ik:INVOLVED_IN]-(:SourceRecord)
    -[:RECORD_OF]->(k:Person)
  WHERE k <> a AND i.role = 'suspect' AND ik.role = 'victim' AND f.fact_type <> 'da_incident'
    AND f.occurred_on >= ad.from AND f.occurred_on <= ad.to
  MATCH (f)-[:AT]->(home:Address)
  MATCH (k)<-[:RECORD_OF]-(kr:SourceRecord)-[l2:RELATED_TO]-(cr:SourceRecord)-[:RECORD_OF]->(ch:Person)
  WHERE ch <> a AND ch <> k
    AND ((startNode(l2) = kr AND l2.type IN ['parent', 'step_parent', 'carer'])
      OR (startNode(l2) = cr AND l2.type = 'child'))
  // the same place may be keyed by UPRN in one agency's record and by line and postcode in another's
  MATCH (ch)<-[:RECORD_OF]-(:SourceRecord)-[lh:LIVED_AT]->(lived:Address)
  WHERE (lived = home OR (lived.postcode = home.postcode AND lived.line = home.line))
    AND coalesce(lh.from, f.occurred_on) <= f.occurred_on AND coalesce(lh.to, f.occurred_on) >= f.occurred_on
  RETURN ch, ['suspect_at_home', f.fact_type, f.agency, f.source_table, f.source_record_id, cr.record_key,
    k.person_id, f.fact_key, home.address_key, null] AS how
  UNION
  MATCH (a)<-[:RECORD_OF]-(:SourceRecord)-[i:INVOLVED_IN]->(f:Event)<-[ic:INVOLVED_IN]-(cr:SourceRecord)
    -[:RECORD_OF]->(ch:Person)
  WHERE ch <> a AND i.role IN ['suspect', 'subject', 'offender'] AND ic.role IN ['present', 'victim', 'witness', 'subject']
    AND f.occurred_on >= ad.from AND f.occurred_on <= ad.to
  RETURN ch, ['same_incident', i.role, f.agency, f.source_table, f.source_record_id, cr.record_key, null,
    f.fact_key, null, null] AS how
  UNION
  MATCH (a)<-[:RECORD_OF]-(:SourceRecord)-[l1:LIVED_AT]->(addr:Address)<-[l2:LIVED_AT]-(cr:SourceRecord)
    -[:RECORD_OF]->(ch:Person)
  WHERE ch <> a
    AND coalesce(l1.from, ad.from) <= ad.to AND coalesce(l1.to, ad.to) >= ad.from
    AND coalesce(l2.from, ad.from) <= ad.to AND coalesce(l2.to, ad.to) >= ad.from
    AND coalesce(l1.from, ad.from) <= coalesce(l2.to, ad.to) AND coalesce(l2.from, ad.from) <= coalesce(l1.to, ad.to)
  RETURN ch, ['lived_at', 'same_address', l1.agency, l1.source_table, l1.source_record_id, cr.record_key,
    null, null, addr.address_key, null] AS how
  UNION
  MATCH (a)<-[:RECORD_OF]-(:SourceRecord)-[m1:MEMBER_OF]->(h:Household)<-[m2:MEMBER_OF]-(cr:SourceRecord)
    -[:RECORD_OF]->(ch:Person)
  WHERE ch <> a
    AND coalesce(m1.from, ad.from) <= ad.to AND coalesce(m1.to, ad.to) >= ad.from
    AND coalesce(m2.from, ad.from) <= ad.to AND coalesce(m2.to, ad.to) >= ad.from
  RETURN ch, ['member_of', m1.member_role, m1.agency, m1.source_table, m1.source_record_id, cr.record_key,
    null, null, null, h.household_key] AS how
}
WITH ad, ch, how
WHERE ch:Unborn OR (ch.date_of_birth IS NOT NULL AND ch.date_of_birth > $reference_date - duration({years: 18})
  AND ch.date_of_birth <= $reference_date)
RETURN ad.person_id AS adult_id, ch.person_id AS child_id, collect(DISTINCT how) AS how
ORDER BY adult_id, child_id
