-- Apply the batch's net change (batch_entity_days, batch_pair_days from count_batch_days.sql) to
-- entity_day_counts and entity_pair_day_counts, then recompute the 28-day baselines of the entities it
-- changed, on the changed days and the 28 after. Inside the writer's transaction; equal to recounting the
-- touched days (refresh_days.sql, which maintenance uses), at the cost of the batch only.

create or replace temp table entity_day_delta as
select day, entity_id, sum(count_mentions) as count_mentions, sum(count_articles) as count_articles
from batch_entity_days
group by all
having sum(count_mentions) <> 0 or sum(count_articles) <> 0;

update entity_day_counts
set count_mentions = entity_day_counts.count_mentions + d.count_mentions,
    count_articles = entity_day_counts.count_articles + d.count_articles
from entity_day_delta as d
where entity_day_counts.day = d.day and entity_day_counts.entity_id = d.entity_id;

insert into entity_day_counts (day, entity_id, count_mentions, count_articles)
select d.day, d.entity_id, d.count_mentions, d.count_articles
from entity_day_delta as d
where not exists (
    select 1 from entity_day_counts as e where e.day = d.day and e.entity_id = d.entity_id
);

delete from entity_day_counts where count_mentions <= 0;

update entity_day_counts set baseline_mean = b.baseline_mean, baseline_active_days = b.baseline_active_days
from (
    select
        day,
        entity_id,
        coalesce(sum(count_mentions) over w, 0) / 28.0 as baseline_mean,
        count(*) over w as baseline_active_days
    from entity_day_counts
    where entity_id in (select entity_id from entity_day_delta)
      and day between (select min(day) - 28 from entity_day_delta) and (select max(day) + 28 from entity_day_delta)
    window w as (partition by entity_id order by day
                 range between interval 28 days preceding and interval 1 day preceding)
) as b
where entity_day_counts.day = b.day and entity_day_counts.entity_id = b.entity_id
  and b.day between (select min(day) from entity_day_delta) and (select max(day) + 28 from entity_day_delta);

create or replace temp table pair_day_delta as
select
    day,
    entity_a,
    entity_b,
    sum(count_articles) as count_articles,
    sum(count_articles_same_sentence) as count_articles_same_sentence,
    sum(count_sentences) as count_sentences
from batch_pair_days
group by all
having sum(count_articles) <> 0 or sum(count_articles_same_sentence) <> 0 or sum(count_sentences) <> 0;

update entity_pair_day_counts
set count_articles = entity_pair_day_counts.count_articles + d.count_articles,
    count_articles_same_sentence = entity_pair_day_counts.count_articles_same_sentence
                                   + d.count_articles_same_sentence,
    count_sentences = entity_pair_day_counts.count_sentences + d.count_sentences
from pair_day_delta as d
where entity_pair_day_counts.day = d.day
  and entity_pair_day_counts.entity_a = d.entity_a and entity_pair_day_counts.entity_b = d.entity_b;

insert into entity_pair_day_counts (
    day, entity_a, entity_b, count_articles, count_articles_same_sentence, count_sentences, name_a, name_b
)
select
    d.day, d.entity_a, d.entity_b, d.count_articles, d.count_articles_same_sentence, d.count_sentences,
    ea.canonical_name, eb.canonical_name
from pair_day_delta as d
join entities as ea on ea.entity_id = d.entity_a
join entities as eb on eb.entity_id = d.entity_b
where not exists (
    select 1 from entity_pair_day_counts as p
    where p.day = d.day and p.entity_a = d.entity_a and p.entity_b = d.entity_b
);

delete from entity_pair_day_counts where count_articles <= 0;

drop table batch_entity_days;
drop table batch_pair_days;
