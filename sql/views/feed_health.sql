-- feed_health: how each feed has been doing, from every request in fetch_log plus its polling state.
-- grain: one row per feed
create or replace view feed_health as
with requests as (
    select
        feed_id,
        fetched_at,
        duration_ms,
        error_class,
        status,
        error_class is null and status is not null and status < 400 as is_success
    from fetch_log
    where kind = 'feed'
),

per_feed as (
    select
        feed_id,
        count(*) as count_requests,
        count(*) filter (where is_success) as count_successes,
        max(fetched_at) filter (where is_success) as last_success_at,
        max(fetched_at) as last_request_at,
        median(duration_ms) as median_latency_ms,
        histogram(coalesce(error_class, 'http_' || status)) filter (where not is_success) as errors_by_class
    from requests
    group by feed_id
),

final as (
    select
        f.feed_id,
        f.url,
        f.is_active,
        f.is_parked,
        f.last_status,
        f.consecutive_failures,
        coalesce(p.count_requests, 0) as count_requests,
        round(p.count_successes / nullif(p.count_requests, 0), 3) as success_rate,
        p.last_success_at,
        p.median_latency_ms,
        p.errors_by_class,
        f.is_bozo,
        f.bozo_reason,
        f.next_fetch_at
    from feeds as f
    left join per_feed as p using (feed_id)
)

select * from final
