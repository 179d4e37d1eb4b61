-- Report: every feed's health.
-- grain: one row per feed
select feed_id, last_status, success_rate, count_requests, consecutive_failures, is_active, is_parked,
       last_success_at, median_latency_ms
from feed_health
order by feed_id
