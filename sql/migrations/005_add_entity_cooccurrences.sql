-- Entity pairs per article (derived from entity_mentions, refreshed with each stored batch): the base of the
-- entity_cooccurrence view. Kept as a table because pairing mentions on the fly is quadratic per article.

create table entity_cooccurrences (
    article_id varchar not null,
    entity_a varchar not null,              -- the smaller entity_id of the pair
    entity_b varchar not null,
    count_sentences integer not null,       -- sentences of the article that mention both
    primary key (article_id, entity_a, entity_b)
);

insert into entity_cooccurrences
select m1.article_id, m1.entity_id, m2.entity_id,
       count(distinct m1.sentence_index) filter (where m1.sentence_index = m2.sentence_index)
from entity_mentions as m1
join entity_mentions as m2 on m1.article_id = m2.article_id and m1.entity_id < m2.entity_id
group by all;
