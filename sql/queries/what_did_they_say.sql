-- What a speaker said (name or part of it, case-insensitive), direct and reported, newest first.
-- params: speaker
select coalesce(a.published_at, a.fetched_at)::date as day, q.speaker, q.kind, q.text, a.title
from quotes as q
join articles as a using (article_id)
where q.speaker ilike '%' || $speaker || '%'
order by day desc, q.start_char
