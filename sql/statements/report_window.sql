-- Report: the last day with articles (the report's window ends there) and totals.
-- grain: one row
select max(coalesce(published_at, fetched_at))::date as last_day,
       count(*) filter (where extraction_status = 'ok') as articles
from articles
