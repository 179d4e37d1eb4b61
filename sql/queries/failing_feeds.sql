-- Feeds that are failing, parked or gone, with their error classes and next poll time.
-- params:
select feed_id, url, last_status, consecutive_failures, is_parked, is_active, success_rate,
       errors_by_class, last_success_at, next_fetch_at
from feed_health
where last_status not in ('ok', 'not_modified', 'unchanged') or is_parked or not is_active
order by consecutive_failures desc, feed_id
