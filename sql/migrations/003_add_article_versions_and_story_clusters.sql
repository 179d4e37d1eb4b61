-- Article revisions, exact-copy and near-duplicate story clusters, and date candidates with provenance.

alter table feed_entries add column updated_at timestamptz;
alter table feed_entries add column needs_refetch boolean default false;  -- the feed says the entry changed

alter table articles add column current_version integer;
alter table articles add column modified_at timestamptz;
alter table articles add column duplicate_of varchar;       -- first article with the same normalized body
alter table articles add column story_cluster_id varchar;   -- near-duplicate cluster (MinHash LSH)

create table article_versions (
    article_id varchar not null,
    version integer not null,               -- 1 for the first body seen; +1 each time the body changes
    content_hash varchar not null,
    title varchar,
    body_text varchar,
    word_count integer,
    fetched_at timestamptz not null,
    archive_path varchar,                   -- raw page of this version (gzip, headers beside it)
    extractor_version varchar,
    primary key (article_id, version)
);

create table article_bands (
    band_hash ubigint not null,             -- one LSH band of the body's MinHash; a shared band = candidate copy
    article_id varchar not null,
    primary key (band_hash, article_id)
);

create table article_dates (
    article_id varchar not null,
    source varchar not null,                -- jsonld | meta | feed | url | time_element | htmldate
    kind varchar not null,                  -- published | modified
    value timestamptz not null,
    primary key (article_id, source, kind)
);
