// Purpose: withdraw pending or conflict reviews a run no longer raises (the records are now one person,
//   or the score fell below the lower threshold), saying why. Decided reviews are left alone.
// Parameters: $rows: list of {pair_key, at (datetime), reason}
// Returns: withdrawn (int)
UNWIND $rows AS row
MATCH (m:MatchReview {pair_key: row.pair_key})
WHERE m.status IN ['pending', 'conflict']
SET m.status = 'withdrawn', m.withdrawn_reason = row.reason, m.updated_at = row.at
RETURN count(m) AS withdrawn
