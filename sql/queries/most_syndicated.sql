-- Stories carried by the most articles and feeds (near-duplicate clusters).
-- params:
select title, count_articles, feed_ids, first_seen_at, urls
from story_clusters
where count_articles > 1
order by count_articles desc, first_seen_at
