-- Who is named together with an entity (by canonical name), over all days: articles and sentences shared
-- params: name
with pairs as (
    select name_b as other, count_articles, count_sentences from entity_cooccurrence where name_a = $name
    union all
    select name_a as other, count_articles, count_sentences from entity_cooccurrence where name_b = $name
)

select other, sum(count_articles) as articles, sum(count_sentences) as sentences
from pairs
group by other
order by articles desc, sentences desc, other
