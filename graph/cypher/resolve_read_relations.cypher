// Purpose: person-to-person links between agency records (RELATED_TO: parent, partner, grandparent, ...),
//   for the family-context rule: two same-named records that are both the parent of one person are one.
// Parameters: none
// Returns: from_key, to_key, type (the first record is <type> of the second)
MATCH (a:SourceRecord)-[l:RELATED_TO]->(b:SourceRecord)
RETURN a.record_key AS from_key, b.record_key AS to_key, l.type AS type
