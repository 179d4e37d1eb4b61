-- story_clusters: each story with its copies across sites and feeds.
-- grain: one row per story cluster
create or replace view story_clusters as
with members as (
    select a.story_cluster_id, a.article_id, a.title, a.canonical_url, a.first_seen_at, e.feed_id
    from articles as a
    left join feed_entries as e using (article_id)
    where a.story_cluster_id is not null
),

final as (
    select
        story_cluster_id,
        count(distinct article_id) as count_articles,
        list_sort(list(distinct feed_id) filter (where feed_id is not null)) as feed_ids,
        min(first_seen_at) as first_seen_at,
        arg_min(title, first_seen_at) as title,
        list_sort(list(distinct canonical_url)) as urls
    from members
    group by story_cluster_id
)

select * from final
