-- The NLP redesign (pipeline newsflow-nlp.3): language-gated tagging, one entity per name whatever label the
-- model gave (entity_id no longer hashes the label), CAMEO actor codes, quote and event provenance spans,
-- GDELT-style event coding, and low-confidence events kept apart. Rows of older pipelines keep their values;
-- `newsflow reprocess --stages nlp` re-tags them.

alter table articles add column nlp_status varchar;          -- tagged | unsupported_language (no model for it)
alter table articles add column nlp_language varchar;        -- the body's language as detected for NLP

alter table entity_mentions add column model_label varchar;  -- what the model said; label = the entity's label
alter table entity_mentions add column known_actor_id varchar;  -- the PETRARCH2/Phoenix actor it names, if any
alter table entity_mentions add column actor_code varchar;   -- its CAMEO actor code on the article's date: RUSGOV

-- How many mentions gave an entity each label: entities.label is the most common one.
-- grain: one row per entity per label
create table entity_label_counts (
    entity_id varchar not null,
    label varchar not null,
    count_mentions bigint not null,
    primary key (entity_id, label)
);
insert into entity_label_counts
select entity_id, label, count(*) from entity_mentions where entity_id is not null group by all;

alter table quotes add column content_spans integer[][];     -- [[start, end], ...]: a quote the cue splits
alter table quotes add column cue_end_char integer;
alter table quotes add column speaker_text varchar;          -- the mention as written: "he", "Mr. Shields"
alter table quotes add column speaker_start_char integer;    -- its span in the body (null: a continuation
alter table quotes add column speaker_end_char integer;      -- paragraph, whose speaker was named before)
alter table quotes add column speaker_label varchar;         -- PERSON | ORG | GPE | ...; null: names no one

alter table events add column cameo_code varchar;            -- full CAMEO code: 042, 1711, ...
alter table events add column goldstein double;              -- -10 (conflict) .. +10 (cooperation)
alter table events add column quad_class integer;            -- 1 verbal coop, 2 material coop, 3 verbal conflict,
                                                             -- 4 material conflict
alter table events add column trigger_end_char integer;
alter table events add column actor_start_char integer;
alter table events add column actor_end_char integer;
alter table events add column actor_code varchar;            -- CAMEO actor code on the article's date: USAGOV
alter table events add column target_start_char integer;
alter table events add column target_end_char integer;
alter table events add column target_code varchar;
alter table events add column location_entity_id varchar;
alter table events add column location_start_char integer;
alter table events add column location_end_char integer;
alter table events add column pattern varchar;               -- the CAMEO verb pattern that matched

-- Events the coder found below the confidence threshold (nlp.event_min_confidence): for recall, kept out of
-- events and every view built on it.
-- grain: one row per article per trigger
create table event_candidates as select * from events limit 0;
alter table event_candidates add primary key (article_id, trigger_char);
