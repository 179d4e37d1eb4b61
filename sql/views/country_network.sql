-- country_network: country-to-country events from the CAMEO actor codes (their first three letters, e.g.
-- USAGOV -> USA), as GDELT's Actor1CountryCode/Actor2CountryCode. Actors coded by sector only (COP, GOV: an
-- agent noun with no country named) and events within one country are left out.
-- grain: one row per actor country per target country per quad class
create or replace view country_network as
with sectors as (
    -- CAMEO's sector and international codes, which also come first in a code that names no country (the
    -- agents of PETRARCH2's Phoenix.agents.txt). MUS is Muslim there, not Mauritius.
    select unnest([
        'AGR', 'BUD', 'BUS', 'CHR', 'COP', 'CRM', 'CVL', 'EDU', 'ELI', 'ENV', 'GOV', 'HIN', 'HLH', 'HRI', 'IGO',
        'IMG', 'INS', 'JEW', 'JUD', 'LAB', 'LEG', 'MED', 'MIL', 'MNC', 'MOD', 'MUS', 'NGM', 'NGO', 'OPP', 'PPL',
        'PTY', 'RAD', 'REB', 'REF', 'REL', 'SET', 'SPY', 'UAF'
    ]) as code
),

coded as (
    select
        left(e.actor_code, 3) as actor_country,
        left(e.target_code, 3) as target_country,
        e.quad_class,
        e.goldstein,
        e.article_id,
        coalesce(e.event_date, a.published_at::date) as day
    from events as e
    join articles as a using (article_id)
    where e.mode = 'asserted'
      and regexp_matches(e.actor_code, '^[A-Z]{3}')
      and regexp_matches(e.target_code, '^[A-Z]{3}')
),

final as (
    select
        actor_country,
        target_country,
        quad_class,
        count(*) as count_events,
        count(distinct article_id) as count_articles,
        round(avg(goldstein), 2) as mean_goldstein,
        min(day) as first_day,
        max(day) as last_day
    from coded
    where actor_country not in (select code from sectors)
      and target_country not in (select code from sectors)
      and actor_country <> target_country
    group by actor_country, target_country, quad_class
)

select * from final
