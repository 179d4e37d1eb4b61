-- Entity mentions with their article's day.
-- grain: one row per mention
select m.*, coalesce(a.published_at, a.fetched_at)::date as day
from entity_mentions as m
join articles as a using (article_id)
