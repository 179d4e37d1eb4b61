-- trending_entities: each entity's mentions on a day against its trailing 28-day baseline (the 28 days
-- before), with a score: (mentions - baseline mean) / sqrt(baseline mean + 1), a smoothed Poisson z-score.
-- For "today", filter day = current_date (or the latest day stored: the named query trending_now does).
-- The baselines are kept in entity_day_counts, refreshed with the counts they come from.
-- grain: one row per entity per day it is mentioned
create or replace view trending_entities as
select
    d.day,
    d.entity_id,
    e.canonical_name,
    e.label,
    d.count_mentions,
    d.count_articles,
    round(d.baseline_mean, 3) as baseline_mean,
    d.baseline_active_days,
    round((d.count_mentions - d.baseline_mean) / sqrt(d.baseline_mean + 1), 3) as score
from entity_day_counts as d
join entities as e using (entity_id)
