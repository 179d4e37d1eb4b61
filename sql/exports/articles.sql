-- Articles with their text and versions' count; day = publication day, else fetch day.
-- grain: one row per article
select a.*, coalesce(a.published_at, a.fetched_at)::date as day
from articles as a
