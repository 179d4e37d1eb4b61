-- Quotes with their article's day.
-- grain: one row per quote
select q.*, coalesce(a.published_at, a.fetched_at)::date as day
from quotes as q
join articles as a using (article_id)
