// Purpose: one review, found by its short id or its pair key, with everything the review screen shows.
// Parameters: $rows: list of one {id}
// Returns: review (map of the MatchReview's properties)
UNWIND $rows AS row
MATCH (m:MatchReview)
WHERE m.review_id = row.id OR m.pair_key = row.id
RETURN properties(m) AS review
