-- Which process runs each run, so that the next run can tell a run whose process was killed (its row
-- would say 'running' forever) and mark it 'interrupted'. Status values: running | completed | failed |
-- interrupted.

alter table runs add column host varchar;
alter table runs add column pid integer;
