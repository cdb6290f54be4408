// Migration 0006: records and facts an agency withdrew (graph/cypher/withdraw_records.cypher) trade their labels
// for Withdrawn: found by their key when the agency sends them again or withdraws them again, and by when
// Jigsaw learnt of the withdrawal when the graph is put back to an earlier time.
CREATE INDEX withdrawn_key IF NOT EXISTS FOR (n:Withdrawn) ON (n.withdrawn_key);
CREATE INDEX withdrawn_at IF NOT EXISTS FOR (n:Withdrawn) ON (n.withdrawn_at);
CREATE INDEX withdrawn_first_learnt IF NOT EXISTS FOR (n:Withdrawn) ON (n.first_learnt_at)
