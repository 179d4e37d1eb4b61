-- Recount entity_day_counts and entity_pair_day_counts for the days in the temp table touched_days(day),
-- then the 28-day baselines they feed (the touched days and the 28 after). Runs inside the writer's
-- transaction, after the batch's mentions and entity_cooccurrences are in place; cost grows with the
-- rows of the touched days, not with the database.

create or replace temp table touched_articles as
select article_id, coalesce(published_at, fetched_at)::date as day
from articles
where coalesce(published_at, fetched_at)::date in (select day from touched_days);

delete from entity_day_counts where day in (select day from touched_days);

insert into entity_day_counts (day, entity_id, count_mentions, count_articles)
select t.day, m.entity_id, count(*), count(distinct m.article_id)
from entity_mentions as m
join touched_articles as t using (article_id)
where m.entity_id is not null
group by all;

update entity_day_counts set baseline_mean = b.baseline_mean, baseline_active_days = b.baseline_active_days
from (
    select
        day,
        entity_id,
        coalesce(sum(count_mentions) over w, 0) / 28.0 as baseline_mean,
        count(*) over w as baseline_active_days
    from entity_day_counts
    where day between (select min(day) - 28 from touched_days) and (select max(day) + 28 from touched_days)
    window w as (partition by entity_id order by day
                 range between interval 28 days preceding and interval 1 day preceding)
) as b
where entity_day_counts.day = b.day and entity_day_counts.entity_id = b.entity_id
  and b.day between (select min(day) from touched_days) and (select max(day) + 28 from touched_days);

delete from entity_pair_day_counts where day in (select day from touched_days);

insert into entity_pair_day_counts (
    day, entity_a, entity_b, count_articles, count_articles_same_sentence, count_sentences, name_a, name_b
)
select
    p.day,
    p.entity_a,
    p.entity_b,
    p.count_articles,
    p.count_articles_same_sentence,
    p.count_sentences,
    ea.canonical_name,
    eb.canonical_name
from (
    select
        t.day,
        c.entity_a,
        c.entity_b,
        count(*) as count_articles,
        count(*) filter (where c.count_sentences > 0) as count_articles_same_sentence,
        sum(c.count_sentences) as count_sentences
    from entity_cooccurrences as c
    join touched_articles as t using (article_id)
    group by all
) as p
-- the names ride along (migration 008), so reading entity_cooccurrence needs no join
join entities as ea on ea.entity_id = p.entity_a
join entities as eb on eb.entity_id = p.entity_b;
