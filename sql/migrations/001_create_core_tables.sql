-- Core tables: feeds, their entries, articles, entity mentions, and the runs that wrote them.

create table feeds (
    feed_id varchar primary key,            -- the feed's name in config
    url varchar not null,                   -- current URL (a 301 updates it)
    title varchar,
    site_url varchar,
    etag varchar,
    last_modified varchar,
    content_hash varchar,                   -- sha256 of the last parsed body
    last_status varchar,                    -- ok | not_modified | unchanged | http_error | fetch_error | parse_error
    last_http_status integer,
    last_error varchar,
    is_bozo boolean,
    bozo_reason varchar,
    last_polled_at timestamptz,
    last_success_at timestamptz,
    consecutive_failures integer not null default 0,
    created_at timestamptz not null default current_timestamp
);

create table feed_entries (
    feed_id varchar not null,
    entry_key varchar not null,             -- raw GUID, else link, else title
    guid varchar,
    link varchar,
    canonical_url varchar,
    article_id varchar,
    title varchar,
    summary varchar,
    published_at timestamptz,
    author varchar,
    first_seen_at timestamptz not null,
    primary key (feed_id, entry_key)
);

create table articles (
    article_id varchar primary key,         -- sha256(canonical_url)[:16]
    canonical_url varchar not null,
    url varchar,
    final_url varchar,
    http_status integer,
    title varchar,
    authors varchar[],
    published_at timestamptz,
    published_at_source varchar,            -- feed | page
    language varchar,
    site_name varchar,
    description varchar,
    body_text varchar,
    content_hash varchar,
    word_count integer,
    extraction_status varchar not null,     -- ok | no_body | http_error | fetch_error | extract_error
    error varchar,
    archive_path varchar,
    fetched_at timestamptz,
    extractor_version varchar,
    pipeline_version varchar,               -- NLP pipeline that made this article's mentions
    first_seen_at timestamptz not null default current_timestamp,
    updated_at timestamptz not null default current_timestamp
);

create table entity_mentions (
    article_id varchar not null,
    sentence_index integer not null,
    start_char integer not null,
    end_char integer not null,
    text varchar not null,
    normalized varchar not null,
    label varchar not null,
    pipeline_version varchar not null,
    primary key (article_id, start_char, end_char, label)
);

create table runs (
    run_id varchar primary key,
    flow_run_id varchar,
    flow_name varchar not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,                -- running | completed | failed
    stats json
);
