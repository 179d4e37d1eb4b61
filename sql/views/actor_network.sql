-- actor_network: who does what to whom, GDELT-style: actor -> target counts by PLOVER category, with each
-- side's CAMEO actor code (the most frequent one) and the mean Goldstein score of their events.
-- grain: one row per actor entity per target entity per event type
create or replace view actor_network as
with linked as (
    select e.*, coalesce(e.event_date, a.published_at::date) as day
    from events as e
    join articles as a using (article_id)
    where e.actor_entity_id is not null and e.target_entity_id is not null and e.mode = 'asserted'
),

final as (
    select
        actor_entity_id,
        any_value(actor) as actor,
        mode(actor_code) as actor_code,
        target_entity_id,
        any_value(target) as target,
        mode(target_code) as target_code,
        event_type,
        count(*) as count_events,
        round(avg(goldstein), 2) as mean_goldstein,
        min(day) as first_day,
        max(day) as last_day
    from linked
    group by actor_entity_id, target_entity_id, event_type
)

select * from final
