-- What the batch's articles (temp table batch) add to entity_label_counts as they stand now, into the temp
-- table batch_entity_labels with the sign {sign}: -1 before the batch's writes, +1 after them (see
-- count_batch_days.sql: the cost follows the batch).

create temp table if not exists batch_entity_labels (entity_id varchar, label varchar, count_mentions bigint);

insert into batch_entity_labels
select entity_id, label, {sign} * count(*)
from entity_mentions
where article_id in (select article_id from batch) and entity_id is not null
group by all;
