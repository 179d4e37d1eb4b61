-- Stored articles to reprocess, filtered by date range, feeds and ids. Unless $force, those the current
-- extractor and/or NLP pipeline already made are left out, so a repeated reprocess does no work.
-- grain: one row per article
-- params: $since (date), $until (date), $feed_ids (varchar[]), $article_ids (varchar[]), $stage (extract|nlp|all),
--         $extractor_version, $pipeline_version, $force (boolean)
with selected as (
    select a.*
    from articles as a
    where ($since::date is null or coalesce(a.published_at, a.first_seen_at) >= $since::date)
      and ($until::date is null or coalesce(a.published_at, a.first_seen_at) < $until::date + interval 1 day)
      and (len($feed_ids) = 0 or a.article_id in (
          select e.article_id from feed_entries as e where list_contains($feed_ids, e.feed_id)))
      and (len($article_ids) = 0 or list_contains($article_ids, a.article_id))
),

final as (
    select
        article_id,
        archive_path,
        extraction_status,
        -- re-extraction needs the raw page; NLP needs an extracted body
        case when $stage = 'nlp' then extraction_status = 'ok'
             else archive_path is not null and extraction_status in ('ok', 'no_body', 'extract_error')
        end as is_eligible,
        case $stage
            when 'nlp' then pipeline_version is distinct from $pipeline_version
            when 'extract' then extractor_version is distinct from $extractor_version
            else extractor_version is distinct from $extractor_version
                 or (extraction_status = 'ok' and pipeline_version is distinct from $pipeline_version)
        end as is_stale
    from selected
)

select article_id, archive_path, is_eligible, is_stale from final order by article_id
