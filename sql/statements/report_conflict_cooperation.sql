-- Report: conflict against cooperation per day over the window (GDELT's QuadClass counts, mean Goldstein).
-- grain: one row per day
-- params: $since (date), $until (date)
select day, count_events, verbal_cooperation, material_cooperation, verbal_conflict, material_conflict,
       mean_goldstein
from conflict_cooperation_daily
where day between $since::date and $until::date
order by day
