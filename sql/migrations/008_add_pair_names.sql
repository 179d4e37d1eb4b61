-- entity_cooccurrence joined entities twice for the two names on every read: at 12.7 M pairs those joins
-- were most of its 446 ms. The daily pair counts carry the names instead. An entity's canonical name never
-- changes (entities rows are only inserted, keyed on it), so the copies cannot drift.

alter table entity_pair_day_counts add column name_a varchar;
alter table entity_pair_day_counts add column name_b varchar;

update entity_pair_day_counts set name_a = ea.canonical_name, name_b = eb.canonical_name
from entities as ea, entities as eb
where ea.entity_id = entity_pair_day_counts.entity_a and eb.entity_id = entity_pair_day_counts.entity_b;
