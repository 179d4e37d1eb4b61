-- Report: entities trending on the last day of the window, against their 28-day baseline.
-- grain: one row per entity
-- params: $until (date)
select canonical_name, label, count_mentions, baseline_mean, score
from trending_entities
where day = $until::date
order by score desc, count_mentions desc, canonical_name
limit 15
