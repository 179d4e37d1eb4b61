-- Apply the batch's net label counts (batch_entity_labels) and give each entity it touched the label most
-- of its mentions have, so "Trump" tagged PERSON here and ORG there is one PERSON in every view.

create or replace temp table entity_label_delta as
select entity_id, label, sum(count_mentions) as count_mentions
from batch_entity_labels
group by all
having sum(count_mentions) <> 0;

insert into entity_label_counts
select entity_id, label, count_mentions from entity_label_delta
on conflict (entity_id, label) do update set count_mentions = entity_label_counts.count_mentions + excluded.count_mentions;

delete from entity_label_counts where count_mentions <= 0;

update entities set label = c.label
from (
    select entity_id, arg_max(label, (count_mentions, label)) as label
    from entity_label_counts
    where entity_id in (select entity_id from entity_label_delta)
    group by entity_id
) as c
where entities.entity_id = c.entity_id and entities.label <> c.label;

drop table batch_entity_labels;
