// Purpose: write the findings of one pattern sweep as Alert nodes, idempotently: a finding seen again updates
//   its alert (evidence, people, last_seen) and never creates a second one; a new finding opens a new alert.
//   An alert an analyst closed stays closed when the same evidence is found again, and is reopened (with the
//   reason recorded in its history) only when the finding now rests on evidence it did not have at closing.
// Serves: NPCC guidance s10 (what needs to happen once information is shared: no diffusion of
//   responsibility); every alert lists its evidence (fact keys) and people (person ids and record keys).
// Parameters: $alerts: list of {alert_key, pattern, person_id, anchor, summary, evidence_keys (list of str),
//   people (list of person ids), record_keys (list of str), link_keys (list of str), evidence_json (str)};
//   $now (datetime); $run_id (str)
// Returns: created (int), updated (int), reopened (int)
UNWIND $alerts AS a
MERGE (al:Alert {alert_key: a.alert_key})
ON CREATE SET al.pattern = a.pattern, al.person_id = a.person_id, al.anchor = a.anchor, al.status = 'open',
  al.first_seen = $now, al.first_run = $run_id, al.history = [toString($now) + ' | open | jigsaw patterns | found'],
  al.reopen_count = 0, al._new = true
WITH al, a, coalesce(al._new, false) AS created,
  [k IN a.evidence_keys WHERE al.status = 'closed' AND NOT k IN coalesce(al.evidence_at_close, [])] AS fresh
SET al.summary = a.summary, al.evidence_keys = a.evidence_keys, al.people = a.people,
  al.record_keys = a.record_keys, al.link_keys = a.link_keys, al.evidence_json = a.evidence_json,
  al.last_seen = $now, al.last_run = $run_id, al.active = true, al.inactive_since = null
FOREACH (_ IN CASE WHEN size(fresh) > 0 THEN [1] ELSE [] END |
  SET al.status = 'open', al.status_at = $now, al.status_by = 'jigsaw patterns',
    al.status_reason = 'reopened: new evidence since it was closed: ' + reduce(s = '', k IN fresh | s + ' ' + k),
    al.reopen_count = al.reopen_count + 1,
    al.history = al.history + [toString($now) + ' | open | jigsaw patterns | reopened on new evidence:'
      + reduce(s = '', k IN fresh | s + ' ' + k)]
)
REMOVE al._new
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
  sum(CASE WHEN created THEN 0 ELSE 1 END) AS updated,
  sum(CASE WHEN size(fresh) > 0 THEN 1 ELSE 0 END) AS reopened
