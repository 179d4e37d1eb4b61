-- entity_daily_mentions: how often each canonical entity is mentioned per day (publication day, else fetch day).
-- grain: one row per entity per day
create or replace view entity_daily_mentions as
with mentions as (
    select
        m.entity_id,
        m.article_id,
        coalesce(a.published_at, a.fetched_at)::date as day
    from entity_mentions as m
    join articles as a using (article_id)
    where m.entity_id is not null
),

final as (
    select
        mentions.day,
        mentions.entity_id,
        e.canonical_name,
        e.label,
        count(*) as count_mentions,
        count(distinct mentions.article_id) as count_articles
    from mentions
    join entities as e using (entity_id)
    group by all
)

select * from final
