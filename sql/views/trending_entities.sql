-- trending_entities: each entity's mentions on a day against its trailing 28-day baseline (the 28 days
-- before), with a score: (mentions - baseline mean) / sqrt(baseline mean + 1), a smoothed Poisson z-score.
-- For "today", filter day = current_date (or the latest day stored: the named query trending_now does).
-- grain: one row per entity per day it is mentioned
create or replace view trending_entities as
with daily as (
    select day, entity_id, canonical_name, label, count_mentions, count_articles
    from entity_daily_mentions
),

with_baseline as (
    select
        *,
        coalesce(sum(count_mentions) over (
            partition by entity_id order by day
            range between interval 28 days preceding and interval 1 day preceding
        ), 0) / 28.0 as baseline_mean,
        coalesce(count(*) over (
            partition by entity_id order by day
            range between interval 28 days preceding and interval 1 day preceding
        ), 0) as baseline_active_days
    from daily
),

final as (
    select
        day,
        entity_id,
        canonical_name,
        label,
        count_mentions,
        count_articles,
        round(baseline_mean, 3) as baseline_mean,
        baseline_active_days,
        round((count_mentions - baseline_mean) / sqrt(baseline_mean + 1), 3) as score
    from with_baseline
)

select * from final
