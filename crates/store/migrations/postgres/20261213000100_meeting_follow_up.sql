-- What a held follow-up meeting leaves behind besides its note: the
-- follow-up tasks its note asked for (activities of `kind` 'task', the
-- account and the mission set when the meeting is about one), linked to the meeting so
-- its page lists them; and who of those invited was actually there.

ALTER TABLE tasks ADD COLUMN meeting_id TEXT REFERENCES meetings (id);
CREATE INDEX tasks_meeting ON tasks (meeting_id);

-- NULL while the meeting is planned (invited); once held, whether each
-- attendee was present. The next meeting of the series invites them all.
ALTER TABLE meeting_contacts ADD COLUMN present BOOLEAN;
ALTER TABLE meeting_users ADD COLUMN present BOOLEAN;
