-- event_timeline: main events per day and PLOVER type, with actor, target and place (asserted events only),
-- their CAMEO actor codes, the events' QuadClass and mean Goldstein score.
-- grain: one row per day per event type per quad class per actor per target per location
create or replace view event_timeline as
with dated as (
    select
        coalesce(e.event_date, a.published_at::date, a.fetched_at::date) as day,
        e.event_type,
        e.quad_class,
        e.actor,
        e.actor_code,
        e.target,
        e.target_code,
        e.location,
        e.goldstein,
        e.article_id
    from events as e
    join articles as a using (article_id)
    where e.rank_in_sentence = 0 and e.mode = 'asserted'
),

final as (
    select
        day,
        event_type,
        quad_class,
        actor,
        target,
        location,
        any_value(actor_code) as actor_code,
        any_value(target_code) as target_code,
        count(*) as count_events,
        count(distinct article_id) as count_articles,
        round(avg(goldstein), 2) as mean_goldstein
    from dated
    group by day, event_type, quad_class, actor, target, location
)

select * from final
