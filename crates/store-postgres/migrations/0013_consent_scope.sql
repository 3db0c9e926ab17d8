-- A consent may cover the result of one event only (the stress check a high-stress worker's
-- interview application is about: 安衛法66条の10第2項). Consents given before were class-wide for
-- the stress-check class; the interview application was the only way they were made, so each
-- is scoped to the person's latest stress check on or before the day it was given, and one
-- with no such check is revoked: no consent stays wider than the worker gave.
ALTER TABLE consents ADD COLUMN event_id UUID;
UPDATE consents SET event_id = (
    SELECT e.id FROM events e
    WHERE e.company_id = consents.company_id AND e.person_id = consents.person_id
      AND e.kind = 'stress_check' AND e.event_date <= (consents.given_at AT TIME ZONE 'Asia/Tokyo')::date
    ORDER BY e.event_date DESC, e.id DESC LIMIT 1
)
WHERE info_class = 'stress' AND event_id IS NULL AND revoked_at IS NULL;
UPDATE consents SET revoked_at = now()
WHERE info_class = 'stress' AND event_id IS NULL AND revoked_at IS NULL;
