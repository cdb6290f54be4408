// Purpose: each record's current link to its person (RECORD_OF): the person and the evidence keys, what
//   decides whether a run's result changes the link (the rest of a link, its history and times, is read
//   for the links that change only: resolve_read_links_by_key); one page of records in record_key order
//   per call, as resolve_read_records.
// Parameters: $after (str: the last record_key of the page before, "" for the first), $page (int)
// Returns: last (str: the page's last record_key, null after the last page), links (list of
//   [record_key, person_id, evidence (map: method, match_probability, matched_fields, matched_with,
//   decided_by)] for the page's linked records)
MATCH (r:SourceRecord)
WHERE r.record_key > $after
WITH r
ORDER BY r.record_key
LIMIT $page
OPTIONAL MATCH (r)-[l:RECORD_OF]->(p:Person)
RETURN max(r.record_key) AS last,
  collect(CASE WHEN l IS NOT NULL THEN
    [r.record_key, p.person_id, l {.method, .match_probability, .matched_fields, .matched_with, .decided_by}]
  END) AS links
