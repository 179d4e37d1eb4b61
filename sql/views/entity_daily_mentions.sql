-- entity_daily_mentions: how often each canonical entity is mentioned per day (publication day, else fetch day).
-- Reads entity_day_counts, which each stored batch refreshes for the days it touches.
-- grain: one row per entity per day
create or replace view entity_daily_mentions as
select
    d.day,
    d.entity_id,
    e.canonical_name,
    e.label,
    d.count_mentions,
    d.count_articles
from entity_day_counts as d
join entities as e using (entity_id)
