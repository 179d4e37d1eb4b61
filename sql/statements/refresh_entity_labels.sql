-- Recount every entity's labels from its mentions (maintenance) and give each entity its most common label.

delete from entity_label_counts;

insert into entity_label_counts
select entity_id, label, count(*) from entity_mentions where entity_id is not null group by all;

update entities set label = c.label
from (
    select entity_id, arg_max(label, (count_mentions, label)) as label from entity_label_counts group by entity_id
) as c
where entities.entity_id = c.entity_id and entities.label <> c.label;
