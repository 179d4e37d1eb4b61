-- Who met whom (CONSULT events with both sides), newest first, since a day (default: all time), with the
-- CAMEO code of the meeting and each side's CAMEO actor code.
-- params: since
select e.event_date as day, e.actor, e.actor_code, e.target, e.target_code, e.cameo_code, e.location, a.title,
       a.canonical_url
from events as e
join articles as a using (article_id)
where e.event_type = 'CONSULT'
  and e.actor_entity_id is not null and e.target_entity_id is not null
  and e.mode = 'asserted'
  and coalesce(e.event_date, a.published_at::date) >= coalesce(try_cast($since as date), date '1900-01-01')
order by day desc nulls last, e.actor
