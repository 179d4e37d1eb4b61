-- entity_cooccurrence: pairs of canonical entities named together, per day: in how many articles, and in
-- how many sentences of those articles (day = publication day, else fetch day).
-- grain: one row per day per entity pair (entity_a < entity_b)
create or replace view entity_cooccurrence as
with pairs as (
    select
        coalesce(a.published_at, a.fetched_at)::date as day,
        c.entity_a,
        c.entity_b,
        c.article_id,
        c.count_sentences
    from entity_cooccurrences as c
    join articles as a using (article_id)
),

counted as (
    select
        day,
        entity_a,
        entity_b,
        count(*) as count_articles,
        count(*) filter (where count_sentences > 0) as count_articles_same_sentence,
        sum(count_sentences) as count_sentences
    from pairs
    group by all
),

final as (
    select
        counted.day,
        counted.entity_a,
        ea.canonical_name as name_a,
        counted.entity_b,
        eb.canonical_name as name_b,
        counted.count_articles,
        counted.count_articles_same_sentence,
        counted.count_sentences
    from counted
    join entities as ea on ea.entity_id = counted.entity_a
    join entities as eb on eb.entity_id = counted.entity_b
)

select * from final
