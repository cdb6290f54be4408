// Purpose: create new persons together with the RECORD_OF links of their records, none of which is
//   linked yet (what a first run writes for every person, so it is a CREATE, not a MERGE). The labels
//   are ["Person"] or ["Person", "Unborn"] (only an expected date of birth).
// Parameters: $rows: list of {person_id, props (map), labels (list of str), links (list of {record_key,
//   props (map)})}
// Returns: written (int, links created)
UNWIND $rows AS row
CREATE (p:Person {person_id: row.person_id})
SET p += row.props, p:$(row.labels)
WITH p, row
UNWIND row.links AS link
MATCH (r:SourceRecord {record_key: link.record_key})
CREATE (r)-[l:RECORD_OF]->(p)
SET l = link.props
RETURN count(l) AS written
