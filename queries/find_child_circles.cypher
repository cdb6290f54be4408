// Purpose: the people around each child in a time window: parents, step-parents and carers, siblings
//   (recorded, or through a shared parent), partners of parents and carers (recorded as partners, or as former
//   partners: ex_partner_of_carer; named as
//   father or partner on a record with the carer, or the other party in a domestic abuse incident), people
//   who lived at the child's address at the same time or in the same recorded household, people named with
//   the child in a family role on a record, wider family and associates. One row per person and relation,
//   with every link that puts them there (agency, source record, dates) so the analyst can check it.
//   RELATED_TO is read as "start node is <type> of end node" (the data contract's direction); lives_with counts
//   as household, other_relative as wider family, a type not known here as other.
// Serves: NPCC guidance s7 "Building the Picture" (multiple partners involved in a child's care), s9 case 5
//   and the Child Safeguarding Practice Review Panel's "The myth of invisible men" (men around the child);
//   the national review of Arthur and Star (evidence pieced together in the round).
// Parameters: $children: list of {person_id, from (date), to (date)}; links and residences that do not
//   overlap [from, to] are left out (a missing from/to means open-ended). A partnership recorded without a
//   start date counts from the day it was recorded, not before: partners change (a man a maternity booking
//   names in 2025 was not around the child in 2024), parents do not (an undated parent link is open-ended).
// Returns: child_id, person_id, display_name, date_of_birth, expected_date_of_birth, sex, unborn (bool),
//   relation (parent, step_parent, carer, sibling, partner_of_carer, ex_partner_of_carer, suspect_at_home,
//   household_member,
//   partner, ex_partner,
//   own_child, step_child, cared_for, wider_family, associate, professional, other), links (each a list in this
//   order: [kind, type, agency, source_table, source_record_id, record_key, start, end, via_person_id, fact_key,
//   address_key, household_key, recorded_by_role, basis], null where a kind has none; type is the relationship
//   type or the role; start and end the link's from and to: a list, not a map, because the map's keys cost
//   the driver more than the values, and a sweep reads tens of thousands)
UNWIND $children AS ch
MATCH (c:Person {person_id: ch.person_id})
CALL (c, ch) {
  // parents and carers as agencies recorded them, or named in a family role on a record with the child
  OPTIONAL MATCH (c)<-[:RECORD_OF]-(cr:SourceRecord)-[l:RELATED_TO]-(kr:SourceRecord)-[:RECORD_OF]->(k:Person)
  WHERE k <> c
    AND ((startNode(l) = kr AND l.type IN ['parent', 'step_parent', 'carer'])
      OR (startNode(l) = cr AND l.type = 'child'))
    AND coalesce(l.from, ch.from) <= ch.to AND coalesce(l.to, ch.to) >= ch.from
  WITH c, ch, collect(DISTINCT k) AS recorded
  OPTIONAL MATCH (c)<-[:RECORD_OF]-(:SourceRecord)-[:INVOLVED_IN]->(f:Fact)
    <-[i:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(k:Person)
  WHERE k <> c AND i.role IN ['mother', 'father', 'parent_carer']
    AND (f.occurred_on IS NULL OR f.occurred_on <= ch.to) AND coalesce(f.ended_on, f.occurred_on, ch.from) >= ch.from
  WITH recorded, collect(DISTINCT k) AS named
  RETURN recorded + [x IN named WHERE NOT x IN recorded] AS carers
}
CALL (c, ch, carers) {
  // (a) a relationship recorded between one of the child's records and another person's record
  MATCH (c)<-[:RECORD_OF]-(cr:SourceRecord)-[l:RELATED_TO]-(orr:SourceRecord)-[:RECORD_OF]->(p:Person)
  WHERE p <> c
    AND coalesce(l.from, CASE WHEN l.type IN ['partner', 'ex_partner'] THEN l.recorded_on END, ch.from) <= ch.to
    AND coalesce(l.to, ch.to) >= ch.from
  WITH p, l, orr, CASE WHEN startNode(l) = orr
    THEN {parent: 'parent', step_parent: 'step_parent', carer: 'carer', child: 'own_child', partner: 'partner',
          ex_partner: 'ex_partner', sibling: 'sibling', half_sibling: 'sibling', grandparent: 'wider_family',
          aunt_uncle: 'wider_family', cousin: 'wider_family', associate: 'associate', friend: 'associate',
          neighbour: 'associate', professional: 'professional', other: 'other', other_relative: 'wider_family',
          lives_with: 'household_member'}[l.type]
    ELSE {parent: 'own_child', step_parent: 'step_child', carer: 'cared_for', child: 'parent', partner: 'partner',
          ex_partner: 'ex_partner', sibling: 'sibling', half_sibling: 'sibling', grandparent: 'wider_family',
          aunt_uncle: 'wider_family', cousin: 'wider_family', associate: 'associate', friend: 'associate',
          neighbour: 'associate', professional: 'professional', other: 'other', other_relative: 'wider_family',
          lives_with: 'household_member'}[l.type] END AS relation
  RETURN p, coalesce(relation, 'other') AS relation,
    ['related_to', l.type, l.agency, l.source_table, l.source_record_id, orr.record_key, l.from, l.to, null,
     null, null, null, l.recorded_by_role, l.basis] AS link
  UNION
  // (b) named with the child in a family role on an agency's record (e.g. a maternity or assessment record)
  MATCH (c)<-[:RECORD_OF]-(:SourceRecord)-[:INVOLVED_IN]->(f:Fact)<-[i:INVOLVED_IN]-(orr:SourceRecord)
    -[:RECORD_OF]->(p:Person)
  WHERE p <> c AND i.role IN ['mother', 'father', 'parent_carer', 'partner', 'household_member']
    AND (f.occurred_on IS NULL OR f.occurred_on <= ch.to) AND coalesce(f.ended_on, f.occurred_on, ch.from) >= ch.from
  RETURN p, {mother: 'parent', father: 'parent', parent_carer: 'carer', partner: 'partner_of_carer',
             household_member: 'household_member'}[i.role] AS relation,
    ['fact_role', i.role, f.agency, f.source_table, f.source_record_id, orr.record_key, f.occurred_on,
     f.ended_on, null, f.fact_key, null, null, f.recorded_by_role, f.basis] AS link
  UNION
  // (c) partners of a parent or carer, as recorded
  UNWIND carers AS k
  MATCH (k)<-[:RECORD_OF]-(kr:SourceRecord)-[l:RELATED_TO]-(orr:SourceRecord)-[:RECORD_OF]->(p:Person)
  WHERE p <> c AND p <> k AND l.type IN ['partner', 'ex_partner']
    AND coalesce(l.from, l.recorded_on, ch.from) <= ch.to AND coalesce(l.to, ch.to) >= ch.from
  RETURN p, CASE l.type WHEN 'partner' THEN 'partner_of_carer' ELSE 'ex_partner_of_carer' END AS relation,
    ['carer_related_to', l.type, l.agency, l.source_table, l.source_record_id, orr.record_key, l.from, l.to,
     k.person_id, null, null, null, l.recorded_by_role, l.basis] AS link
  UNION
  // (d) named as father or partner on a record about a parent or carer (maternity booking, assessment), or
  //     the other party in a domestic abuse incident with a parent or carer
  UNWIND carers AS k
  MATCH (k)<-[:RECORD_OF]-(:SourceRecord)-[ik:INVOLVED_IN]->(f:Fact)<-[i:INVOLVED_IN]-(orr:SourceRecord)
    -[:RECORD_OF]->(p:Person)
  WHERE p <> c AND p <> k
    AND (i.role IN ['father', 'partner']
      OR (f.fact_type = 'da_incident' AND ik.role IN ['victim', 'suspect'] AND i.role IN ['victim', 'suspect']
          AND ik.role <> i.role))
    AND (f.occurred_on IS NULL OR f.occurred_on <= ch.to) AND coalesce(f.ended_on, f.occurred_on, ch.from) >= ch.from
  RETURN p, 'partner_of_carer' AS relation,
    ['carer_fact_role', i.role, f.agency, f.source_table, f.source_record_id, orr.record_key, f.occurred_on,
     f.ended_on, k.person_id, f.fact_key, null, null, f.recorded_by_role, f.basis] AS link
  UNION
  // (d2) the suspect in an incident at the child's home (where the child lived then) against a parent or carer
  UNWIND carers AS k
  MATCH (k)<-[:RECORD_OF]-(:SourceRecord)-[ik:INVOLVED_IN]->(f:Event)<-[i:INVOLVED_IN]-(orr:SourceRecord)
    -[:RECORD_OF]->(p:Person)
  WHERE p <> c AND p <> k AND ik.role = 'victim' AND i.role = 'suspect' AND f.fact_type <> 'da_incident'
    AND f.occurred_on >= ch.from AND f.occurred_on <= ch.to
  MATCH (f)-[:AT]->(home:Address)
  // the same place may be keyed by UPRN in one agency's record and by line and postcode in another's
  MATCH (c)<-[:RECORD_OF]-(:SourceRecord)-[lh:LIVED_AT]->(lived:Address)
  WHERE (lived = home OR (lived.postcode = home.postcode AND lived.line = home.line))
    AND coalesce(lh.from, f.occurred_on) <= f.occurred_on AND coalesce(lh.to, f.occurred_on) >= f.occurred_on
  RETURN p, 'suspect_at_home' AS relation,
    ['suspect_at_home', f.fact_type, f.agency, f.source_table, f.source_record_id, orr.record_key,
     f.occurred_on, f.ended_on, k.person_id, f.fact_key, home.address_key, null, f.recorded_by_role,
     f.basis] AS link
  UNION
  // (e) siblings through a shared parent or step-parent
  UNWIND carers AS k
  MATCH (k)<-[:RECORD_OF]-(kr:SourceRecord)-[l:RELATED_TO]-(orr:SourceRecord)-[:RECORD_OF]->(p:Person)
  WHERE p <> c AND p <> k
    AND ((startNode(l) = kr AND l.type IN ['parent', 'step_parent'])
      OR (startNode(l) = orr AND l.type = 'child'))
  RETURN p, 'sibling' AS relation,
    ['shared_parent', l.type, l.agency, l.source_table, l.source_record_id, orr.record_key, l.from, l.to,
     k.person_id, null, null, null, l.recorded_by_role, l.basis] AS link
  UNION
  // (f) lived at the same address at the same time (within the window)
  MATCH (c)<-[:RECORD_OF]-(:SourceRecord)-[l1:LIVED_AT]->(a:Address)<-[l2:LIVED_AT]-(orr:SourceRecord)
    -[:RECORD_OF]->(p:Person)
  WHERE p <> c
    AND coalesce(l1.from, ch.from) <= ch.to AND coalesce(l1.to, ch.to) >= ch.from
    AND coalesce(l2.from, ch.from) <= ch.to AND coalesce(l2.to, ch.to) >= ch.from
    AND coalesce(l1.from, ch.from) <= coalesce(l2.to, ch.to) AND coalesce(l2.from, ch.from) <= coalesce(l1.to, ch.to)
  RETURN p, 'household_member' AS relation,
    ['lived_at', 'same_address', l2.agency, l2.source_table, l2.source_record_id, orr.record_key, l2.from,
     l2.to, null, null, a.address_key, null, l2.recorded_by_role, l2.basis] AS link
  UNION
  // (g) recorded as members of the same household or family
  MATCH (c)<-[:RECORD_OF]-(:SourceRecord)-[m1:MEMBER_OF]->(h:Household)<-[m2:MEMBER_OF]-(orr:SourceRecord)
    -[:RECORD_OF]->(p:Person)
  WHERE p <> c
    AND coalesce(m1.from, ch.from) <= ch.to AND coalesce(m1.to, ch.to) >= ch.from
    AND coalesce(m2.from, ch.from) <= ch.to AND coalesce(m2.to, ch.to) >= ch.from
  RETURN p, 'household_member' AS relation,
    ['member_of', m2.member_role, m2.agency, m2.source_table, m2.source_record_id, orr.record_key, m2.from,
     m2.to, null, null, null, h.household_key, m2.recorded_by_role, m2.basis] AS link
}
WITH ch, p, relation, collect(DISTINCT link) AS links
RETURN ch.person_id AS child_id, p.person_id AS person_id, p.display_name AS display_name,
  p.date_of_birth AS date_of_birth, p.expected_date_of_birth AS expected_date_of_birth, p.sex AS sex,
  p:Unborn AS unborn, relation, links
ORDER BY child_id, person_id, relation
