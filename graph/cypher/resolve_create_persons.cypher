// Purpose: create new persons together with the RECORD_OF links of their records, none of which is
//   linked yet (what a first run writes for every person, so it is a CREATE, not a MERGE). The labels
//   are ["Person"] or ["Person", "Unborn"] (only an expected date of birth). What every person and link of
//   the run shares (its time, its id, the time its matches are in force from) is given once, in $run, and
//   each link is a list, not a map: a first run writes 1.8 million links at 200,000 children, and the
//   driver's packing of a map and two date-times per link was a fifth of the writing's time.
// Parameters: $rows: list of {person_id, props (map), labels (list of str), links (list of [record_key,
//   method, match_probability, matched_fields, matched_with, decided_by])};
//   $run: {at (datetime): the persons' updated_at and the links' linked_at, run_id, in_force_from (datetime)}
// Returns: written (int, links created)
UNWIND $rows AS row
CREATE (p:Person {person_id: row.person_id})
SET p += row.props, p:$(row.labels), p.updated_at = $run.at, p.run_id = $run.run_id
WITH p, row
UNWIND row.links AS link
MATCH (r:SourceRecord {record_key: link[0]})
CREATE (r)-[l:RECORD_OF {method: link[1], match_probability: link[2], matched_fields: link[3],
  matched_with: link[4], decided_by: link[5], linked_at: $run.at, run_id: $run.run_id,
  in_force_from: $run.in_force_from}]->(p)
RETURN count(l) AS written
