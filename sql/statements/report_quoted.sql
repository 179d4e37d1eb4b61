-- Report: the most quoted speakers over the window.
-- grain: one row per speaker
-- params: $since (date), $until (date)
select any_value(q.speaker) as speaker, count(*) as count_quotes, count(distinct q.article_id) as count_articles,
       arg_max(q.text, length(q.text)) as longest_quote
from quotes as q
join articles as a using (article_id)
where q.speaker is not null
  and coalesce(a.published_at, a.fetched_at)::date between $since::date and $until::date
group by coalesce(q.speaker_entity_id, q.speaker)
order by count_quotes desc, speaker
limit 15
