-- Per-feed polling state (schedule, back-off, parking, moves) and a log of every HTTP request.

alter table feeds add column config_url varchar;
update feeds set config_url = url;
alter table feeds add column moved_from varchar;            -- URL before the last 301/308
alter table feeds add column is_active boolean default true; -- false after 410 Gone
alter table feeds add column is_parked boolean default false; -- too many failures: polled rarely
alter table feeds add column poll_interval_s integer;
alter table feeds add column next_fetch_at timestamptz;
alter table feeds add column feed_format varchar;           -- rss20, atom10, json11, ...

create table fetch_log (
    fetched_at timestamptz not null,
    kind varchar not null,                  -- feed | page
    feed_id varchar,
    article_id varchar,
    url varchar not null,
    final_url varchar,
    status integer,
    bytes bigint,
    duration_ms integer,
    attempts integer,
    error_class varchar,                    -- connect | timeout | deadline | too_large | blocked_address | ...
    error varchar,
    run_id varchar
);
