-- Canonical entities (stable ids across articles), roles on mentions, and speaker-attributed quotes.

alter table entity_mentions add column canonical varchar;    -- "Kerry" -> "John Kerry", "US" -> "United States"
alter table entity_mentions add column entity_id varchar;    -- sha256(label | canonical)[:16]
alter table entity_mentions add column role varchar;         -- office before a person's name: spokesman, minister
alter table entity_mentions add column role_org varchar;     -- organisation in that title: White House

create table entities (
    entity_id varchar primary key,
    canonical_name varchar not null,
    label varchar not null,
    first_seen_at timestamptz not null default current_timestamp
);

create table entity_aliases (
    alias varchar not null,                 -- a spelling seen in text, after possessive/whitespace cleaning
    entity_id varchar not null,
    first_seen_at timestamptz not null default current_timestamp,
    primary key (alias, entity_id)
);

create table quotes (
    article_id varchar not null,
    kind varchar not null,                  -- direct (in quotation marks) | reported (X said Y)
    text varchar not null,
    start_char integer not null,
    end_char integer not null,
    sentence_index integer,
    cue varchar,                            -- lemma of the cue verb: say, tell, warn, ...
    cue_char integer,
    speaker varchar,                        -- canonical name; null when no speaker could be found
    speaker_entity_id varchar,
    event_trigger_char integer,             -- the event this quote is about: events(article_id, trigger_char)
    pipeline_version varchar not null,
    primary key (article_id, kind, start_char)
);

create table events (
    article_id varchar not null,
    trigger_char integer not null,          -- offset of the trigger word in the article body
    event_type varchar not null,            -- PLOVER category: CONSULT, AGREE, ASSAULT, ...
    cameo_root varchar,                     -- CAMEO root code (2 digits)
    trigger varchar not null,
    sentence_index integer,
    rank_in_sentence integer,               -- 0 = the sentence's main event (highest in the parse)
    actor varchar,
    actor_entity_id varchar,
    target varchar,
    target_entity_id varchar,
    location varchar,
    date_text varchar,                      -- the date words of the sentence: "yesterday", "on Monday"
    event_date date,                        -- resolved against the article's publication date
    negated boolean,
    mode varchar,                           -- asserted | hypothetical | denied
    confidence double,
    pipeline_version varchar not null,
    primary key (article_id, trigger_char)
);
