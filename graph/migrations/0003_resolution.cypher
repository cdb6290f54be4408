// Migration 0003: entity resolution's own nodes: the review queue (one MatchReview per pair of records,
// found by pair or by its short id, listed by status), trained models, runs, and redirects from retired
// person ids. Range indexes: one resolve run (or one analyst's decision) writes them at a time; uniqueness
// constraints can replace them once docs/graph-model.md lists these keys. IF NOT EXISTS: safe to re-run.
CREATE INDEX match_review_pair IF NOT EXISTS FOR (n:MatchReview) ON (n.pair_key);
CREATE INDEX match_review_id IF NOT EXISTS FOR (n:MatchReview) ON (n.review_id);
CREATE INDEX match_review_status IF NOT EXISTS FOR (n:MatchReview) ON (n.status, n.probability);
CREATE INDEX resolution_model_version IF NOT EXISTS FOR (n:ResolutionModel) ON (n.version);
CREATE INDEX resolution_run_id IF NOT EXISTS FOR (n:ResolutionRun) ON (n.run_id);
CREATE INDEX person_redirect_id IF NOT EXISTS FOR (n:PersonRedirect) ON (n.person_id)
