-- articles_current: the newest version of every article that has a body, with its feeds and story cluster.
-- grain: one row per article
create or replace view articles_current as
with feeds_per_article as (
    select article_id, list_sort(list(distinct feed_id)) as feed_ids
    from feed_entries
    where article_id is not null
    group by article_id
),

final as (
    select
        a.article_id,
        a.canonical_url,
        a.title,
        a.authors,
        a.published_at,
        a.modified_at,
        a.language,
        a.site_name,
        a.body_text,
        a.word_count,
        a.current_version,
        a.story_cluster_id,
        a.duplicate_of,
        f.feed_ids,
        a.fetched_at,
        a.pipeline_version
    from articles as a
    left join feeds_per_article as f using (article_id)
    where a.extraction_status = 'ok'
)

select * from final
