-- Report: events per day and PLOVER category over the window.
-- grain: one row per day per event type
-- params: $since (date), $until (date)
select day, event_type, sum(count_events)::integer as count_events
from event_timeline
where day between $since::date and $until::date
group by all
order by day, event_type
