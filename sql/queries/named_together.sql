-- Who is named together with an entity (by canonical name), over all days: articles and sentences shared
-- params: name
-- Counted from the entity's own mentions (a few thousand rows) rather than by scanning every stored pair.
with target as (
    select entity_id from entities where canonical_name = $name
),

target_sentences as (
    select distinct article_id, sentence_index
    from entity_mentions
    where entity_id in (select entity_id from target)
),

others as (
    select distinct m.entity_id, m.article_id, m.sentence_index
    from entity_mentions as m
    where m.article_id in (select article_id from target_sentences)
      and m.entity_id is not null
      and m.entity_id not in (select entity_id from target)
),

per_article as (
    select o.entity_id, o.article_id, count(t.sentence_index) as sentences
    from others as o
    left join target_sentences as t on t.article_id = o.article_id and t.sentence_index = o.sentence_index
    group by all
)

select e.canonical_name as other, count(*) as articles, sum(sentences) as sentences
from per_article
join entities as e using (entity_id)
group by all
order by articles desc, sentences desc, other
