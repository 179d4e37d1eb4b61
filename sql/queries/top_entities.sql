-- The most mentioned entities of a label (PERSON, ORG, GPE, ...; default all) since a day.
-- params: label since
select canonical_name, label, sum(count_mentions) as mentions, sum(count_articles) as articles
from entity_daily_mentions
where (nullif($label, '') is null or label = upper($label))
  and day >= coalesce(try_cast($since as date), date '1900-01-01')
group by all
order by mentions desc, canonical_name
limit 20
