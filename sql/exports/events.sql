-- Events with their day (the event's own date when resolved, else the article's).
-- grain: one row per event
select e.*, coalesce(e.event_date, a.published_at::date, a.fetched_at::date) as day
from events as e
join articles as a using (article_id)
