-- conflict_cooperation_daily: GDELT's daily balance: asserted main events per QuadClass (1 verbal cooperation,
-- 2 material cooperation, 3 verbal conflict, 4 material conflict) and their mean Goldstein score (-10 .. +10).
-- grain: one row per day
create or replace view conflict_cooperation_daily as
with dated as (
    select coalesce(e.event_date, a.published_at::date, a.fetched_at::date) as day, e.quad_class, e.goldstein
    from events as e
    join articles as a using (article_id)
    where e.rank_in_sentence = 0 and e.mode = 'asserted'
),

final as (
    select
        day,
        count(*) as count_events,
        count(*) filter (where quad_class = 1) as verbal_cooperation,
        count(*) filter (where quad_class = 2) as material_cooperation,
        count(*) filter (where quad_class = 3) as verbal_conflict,
        count(*) filter (where quad_class = 4) as material_conflict,
        round(avg(goldstein), 2) as mean_goldstein
    from dated
    group by day
)

select * from final
