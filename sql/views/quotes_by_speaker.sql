-- quotes_by_speaker: who is quoted, how often, in how many articles, first and last time.
-- grain: one row per speaker (canonical entity; quotes whose source names no one, e.g. "researchers", are left out)
create or replace view quotes_by_speaker as
with quoted as (
    select q.*, coalesce(a.published_at, a.fetched_at) as quoted_at
    from quotes as q
    join articles as a using (article_id)
    where q.speaker is not null
),

final as (
    select
        speaker_entity_id,
        any_value(speaker) as speaker,
        count(*) as count_quotes,
        count(*) filter (where kind = 'direct') as count_direct,
        -- indirect and mixed quotes; 'reported' is what pipelines before newsflow-nlp.3 called both
        count(*) filter (where kind in ('indirect', 'mixed', 'reported')) as count_reported,
        count(distinct article_id) as count_articles,
        min(quoted_at) as first_quoted_at,
        max(quoted_at) as last_quoted_at,
        arg_max(text, quoted_at) as latest_quote
    from quoted
    group by speaker_entity_id
)

select * from final
