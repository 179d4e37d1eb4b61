-- event_timeline: main events per day and PLOVER type, with actor, target and place (asserted events only).
-- grain: one row per day per event type per actor per target per location
create or replace view event_timeline as
with dated as (
    select
        coalesce(e.event_date, a.published_at::date, a.fetched_at::date) as day,
        e.event_type,
        e.actor,
        e.target,
        e.location,
        e.article_id
    from events as e
    join articles as a using (article_id)
    where e.rank_in_sentence = 0 and e.mode = 'asserted'
),

final as (
    select day, event_type, actor, target, location,
           count(*) as count_events, count(distinct article_id) as count_articles
    from dated
    group by all
)

select * from final
