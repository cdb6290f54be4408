// Purpose: person-to-person links between agency records (RELATED_TO: parent, partner, grandparent, ...),
//   for the family-context rule: two same-named records that are both the parent of one person are one.
//   One page of records (the links' first ends) in record_key order per call, as resolve_read_records.
// Parameters: $after (str: the last record_key of the page before, "" for the first), $page (int)
// Returns: last (str: the page's last record_key, null after the last page), relations (list of
//   [from_key, to_key, type]: the first record is <type> of the second)
MATCH (a:SourceRecord)
WHERE a.record_key > $after
WITH a
ORDER BY a.record_key
LIMIT $page
OPTIONAL MATCH (a)-[l:RELATED_TO]->(b:SourceRecord)
RETURN max(a.record_key) AS last,
  collect(CASE WHEN l IS NOT NULL THEN [a.record_key, b.record_key, l.type] END) AS relations
