-- entity_cooccurrence: pairs of canonical entities named together, per day: in how many articles, and in
-- how many sentences of those articles (day = publication day, else fetch day). Reads
-- entity_pair_day_counts, refreshed with each stored batch; filter on day or a name: it is large.
-- grain: one row per day per entity pair (entity_a < entity_b)
create or replace view entity_cooccurrence as
select
    p.day,
    p.entity_a,
    ea.canonical_name as name_a,
    p.entity_b,
    eb.canonical_name as name_b,
    p.count_articles,
    p.count_articles_same_sentence,
    p.count_sentences
from entity_pair_day_counts as p
join entities as ea on ea.entity_id = p.entity_a
join entities as eb on eb.entity_id = p.entity_b
