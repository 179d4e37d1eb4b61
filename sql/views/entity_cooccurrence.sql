-- entity_cooccurrence: pairs of canonical entities named together, per day: in how many articles, and in
-- how many sentences of those articles (day = publication day, else fetch day). Reads
-- entity_pair_day_counts, refreshed with each stored batch (names included, so no join here); filter on
-- day or a name: it is large.
-- grain: one row per day per entity pair (entity_a < entity_b)
create or replace view entity_cooccurrence as
select
    day,
    entity_a,
    name_a,
    entity_b,
    name_b,
    count_articles,
    count_articles_same_sentence,
    count_sentences
from entity_pair_day_counts
