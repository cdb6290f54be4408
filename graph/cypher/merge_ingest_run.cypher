// Purpose: record one ingest run (who, when, which files with their SHA-256, and the counts) so every
//   fact's ingest_run_id leads back to the run that brought it.
// Parameters: $run: {run_id, started_at, finished_at, user, files (list of str), file_hashes (list of str),
//   read (int), loaded (int), quarantined (int), created (int), updated (int), quarantine_file}
// Returns: run_id
MERGE (r:IngestRun {run_id: $run.run_id})
SET r += $run
RETURN r.run_id AS run_id
