-- What the batch's articles (temp table batch) add to the daily entity and pair counts, as they stand now,
-- into the temp tables batch_entity_days and batch_pair_days with the sign {sign}: run with -1 before the
-- batch's writes (what the old versions added) and with +1 after them. Cost grows with the batch, not with
-- the days it touches. (The articles of one batch and the rest are disjoint, so per-article counts add up.)

create temp table if not exists batch_entity_days (
    day date, entity_id varchar, count_mentions bigint, count_articles bigint
);
create temp table if not exists batch_pair_days (
    day date, entity_a varchar, entity_b varchar, count_articles bigint, count_articles_same_sentence bigint,
    count_sentences bigint
);

create or replace temp table batch_article_days as
select article_id, coalesce(published_at, fetched_at)::date as day
from articles
where article_id in (select article_id from batch);

insert into batch_entity_days
select d.day, m.entity_id, {sign} * count(*), {sign} * count(distinct m.article_id)
from entity_mentions as m
join batch_article_days as d using (article_id)
where m.entity_id is not null
group by all;

insert into batch_pair_days
select
    d.day,
    c.entity_a,
    c.entity_b,
    {sign} * count(*),
    {sign} * count(*) filter (where c.count_sentences > 0),
    {sign} * sum(c.count_sentences)
from entity_cooccurrences as c
join batch_article_days as d using (article_id)
group by all;
