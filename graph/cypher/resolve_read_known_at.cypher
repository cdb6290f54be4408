// Purpose: the latest time Jigsaw learnt an agency record or a correction of one: a resolution run's matches
//   rest on that knowledge, and are in force from then when the graph is asked "as known at" a date.
// Parameters: none
// Returns: known_at (datetime, null when the graph holds no records)
MATCH (r:SourceRecord)
RETURN max(r.valid_from) AS known_at
