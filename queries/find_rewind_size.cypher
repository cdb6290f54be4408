// Purpose: how much Jigsaw learnt after a past time (records and facts first learnt or corrected, involvements
//   and residences learnt or changed): what putting the graph back to that time would have to hold in one
//   transaction. Index counts only; nothing is put back.
// Serves: issue 10 ("as known at"): a clear refusal rather than a server out of memory.
// Parameters: $at (datetime)
// Returns: pending (int)
CALL () { MATCH (n:Fact) WHERE n.valid_from > $at RETURN count(n) AS facts }
CALL () { MATCH (n:SourceRecord) WHERE n.valid_from > $at RETURN count(n) AS records }
CALL () { MATCH ()-[l:INVOLVED_IN]->() WHERE l.learnt_at > $at RETURN count(l) AS involvements }
CALL () { MATCH ()-[l:LIVED_AT]->() WHERE l.learnt_at > $at RETURN count(l) AS residences }
RETURN facts + records + involvements + residences AS pending
