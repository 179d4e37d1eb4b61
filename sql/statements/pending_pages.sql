-- Article pages still to fetch: entries of the given feeds with no article yet, whose last attempt
-- failed for a reason worth retrying (network fault, 5xx, 429), or whose feed entry says it was updated.
-- grain: one row per article
-- params: $feed_ids (varchar[])
with candidates as (
    select
        e.article_id,
        e.link as url,
        e.canonical_url,
        min(e.published_at) as feed_published_at,
        min(e.title) as feed_title,
        bool_or(coalesce(e.needs_refetch, false)) as needs_refetch
    from feed_entries as e
    where e.article_id is not null
      and list_contains($feed_ids, e.feed_id)
    group by 1, 2, 3
),

ranked as (
    select *, row_number() over (partition by article_id order by url) as n
    from candidates
),

final as (
    select r.article_id, r.url, r.canonical_url, r.feed_published_at, r.feed_title
    from ranked as r
    left join articles as a using (article_id)
    where r.n = 1
      and (
          a.article_id is null
          or r.needs_refetch
          or a.extraction_status = 'fetch_error'
          or (a.extraction_status = 'http_error' and (a.http_status >= 500 or a.http_status = 429))
      )
)

select * from final order by article_id
