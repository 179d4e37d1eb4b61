-- Entities trending on the latest day stored, against their trailing 28-day baseline
-- params: limit
select day, canonical_name, label, count_mentions, baseline_mean, score
from trending_entities
where day = (select max(day) from trending_entities)
order by score desc, count_mentions desc, canonical_name
limit coalesce(try_cast($limit as integer), 20)
