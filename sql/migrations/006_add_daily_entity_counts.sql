-- Daily entity and entity-pair counts, kept as tables (refreshed for the days each stored batch touches,
-- rebuilt by maintenance): recounting 1 M mentions or 10 M pairs on every read of the per-day views took
-- 0.5-7 s. entity_cooccurrences loses its primary key: nothing upserts into it (each batch deletes and
-- re-inserts its articles' pairs), and the index over millions of pairs cost memory on every write.

create table entity_cooccurrences_keyless (
    article_id varchar not null,
    entity_a varchar not null,              -- the smaller entity_id of the pair
    entity_b varchar not null,
    count_sentences integer not null        -- sentences of the article that mention both
);
insert into entity_cooccurrences_keyless select article_id, entity_a, entity_b, count_sentences
from entity_cooccurrences;
drop table entity_cooccurrences;
alter table entity_cooccurrences_keyless rename to entity_cooccurrences;

create table entity_day_counts (
    day date not null,                      -- publication day, else fetch day
    entity_id varchar not null,
    count_mentions integer not null,
    count_articles integer not null,
    baseline_mean double not null default 0,       -- mean mentions per day over the 28 days before
    baseline_active_days integer not null default 0 -- of those 28 days, how many had a mention
);

create table entity_pair_day_counts (
    day date not null,
    entity_a varchar not null,              -- the smaller entity_id of the pair
    entity_b varchar not null,
    count_articles integer not null,
    count_articles_same_sentence integer not null,
    count_sentences integer not null
);

-- First fill from what is stored; later batches refresh the days they touch (sql/statements/refresh_days.sql).
insert into entity_day_counts (day, entity_id, count_mentions, count_articles)
select coalesce(a.published_at, a.fetched_at)::date, m.entity_id, count(*), count(distinct m.article_id)
from entity_mentions as m
join articles as a using (article_id)
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
    window w as (partition by entity_id order by day
                 range between interval 28 days preceding and interval 1 day preceding)
) as b
where entity_day_counts.day = b.day and entity_day_counts.entity_id = b.entity_id;

insert into entity_pair_day_counts
select
    coalesce(a.published_at, a.fetched_at)::date,
    c.entity_a,
    c.entity_b,
    count(*),
    count(*) filter (where c.count_sentences > 0),
    sum(c.count_sentences)
from entity_cooccurrences as c
join articles as a using (article_id)
group by all;
