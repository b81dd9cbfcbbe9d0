namespace Tsdb.Query.Sql.Tests;

/// <summary>Queries the product must accept: TSBS, Grafana, metadata and a spread of the language.</summary>
internal static class Corpus
{
    public static readonly string[] Valid =
    [
        // TSBS single-groupby / cpu-max-all.
        "SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user) FROM cpu WHERE hostname IN ('host_1','host_2') AND time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T01:00:00Z' GROUP BY 1 ORDER BY 1",
        "SELECT date_bin(INTERVAL '1 hour', time) AS hour, max(usage_user), max(usage_system), max(usage_idle), max(usage_nice), max(usage_iowait), max(usage_irq), max(usage_softirq), max(usage_steal), max(usage_guest), max(usage_guest_nice) FROM cpu WHERE hostname IN ('host_9') AND time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T08:00:00Z' GROUP BY hour ORDER BY hour",
        // Double-groupby.
        "SELECT date_bin(INTERVAL '1 hour', time) AS hour, hostname, avg(usage_user) AS mean_usage_user FROM cpu WHERE time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T12:00:00Z' GROUP BY 1, 2 ORDER BY 1, 2",
        "SELECT hostname, max(usage_user) FROM cpu WHERE time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T12:00:00Z' GROUP BY hostname",
        // Lastpoint.
        "SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC",
        "SELECT hostname, selector_last(usage_user, time) FROM cpu GROUP BY hostname",
        "SELECT hostname, last_value(usage_user ORDER BY time) AS usage_user FROM cpu GROUP BY hostname",
        // Groupby-orderby-limit.
        "SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user) FROM cpu WHERE time < '2016-01-01T12:00:00Z' GROUP BY 1 ORDER BY 1 DESC LIMIT 5",
        // High-cpu.
        "SELECT * FROM cpu WHERE usage_user > 90 AND time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T12:00:00Z'",
        "SELECT * FROM cpu WHERE usage_user > 90.0 AND hostname = 'host_3'",
        // Grafana and drivers.
        "SELECT 1",
        "select 1;",
        "SELECT now()",
        "SELECT version()",
        "SELECT $__timeFilter, time FROM cpu WHERE time >= $from AND time <= $to",
        "SELECT mean FROM (SELECT avg(usage_user) AS mean, hostname FROM cpu WHERE time > now() - INTERVAL '5 minutes' GROUP BY hostname) AS s WHERE mean > 50",
        // Metadata.
        "SHOW TABLES",
        "show tables;",
        "SHOW COLUMNS FROM cpu",
        "SHOW COLUMNS IN \"My Table\"",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'iox'",
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'cpu' ORDER BY column_name",
        "SELECT * FROM system.queries",
        "SELECT * FROM system.parquet_files WHERE table_name = 'cpu'",
        "EXPLAIN SELECT * FROM cpu",
        "EXPLAIN ANALYZE VERBOSE SELECT count(*) FROM cpu",
        // Select list forms.
        "SELECT *, cpu.*, c.usage_user AS u, usage_system s FROM cpu c",
        "SELECT DISTINCT hostname FROM cpu",
        "SELECT ALL hostname FROM cpu",
        "SELECT \"Usage User\", \"a\"\"b\", \"CPU\".\"time\" FROM \"CPU\"",
        "SELECT count(*), count(DISTINCT hostname), count(1) FROM cpu",
        "SELECT first_value(usage_user ORDER BY time ASC NULLS LAST), last_value(usage_user ORDER BY time DESC, hostname) FROM cpu",
        "SELECT approx_percentile_cont(usage_user, 0.95), median(usage_user), stddev(usage_user), variance(usage_user) FROM cpu",
        "SELECT time_bucket(INTERVAL '5 minutes', time), date_trunc('hour', time) FROM cpu",
        // CTEs, subqueries, joins, unions.
        "WITH recent AS (SELECT * FROM cpu WHERE time > now() - INTERVAL '1 hour') SELECT hostname, max(usage_user) FROM recent GROUP BY hostname",
        "WITH a (h, u) AS (SELECT hostname, usage_user FROM cpu), b AS (SELECT * FROM a) SELECT * FROM b",
        "SELECT * FROM (SELECT hostname FROM cpu) t",
        "SELECT * FROM (SELECT hostname FROM cpu)",
        "SELECT * FROM cpu WHERE hostname IN (SELECT hostname FROM mem WHERE used_percent > 90)",
        "SELECT * FROM cpu WHERE hostname NOT IN (SELECT hostname FROM mem)",
        "SELECT (SELECT max(time) FROM cpu) AS latest",
        "SELECT * FROM cpu WHERE EXISTS (SELECT 1 FROM mem) AND NOT EXISTS (SELECT 1 FROM disk)",
        "SELECT c.hostname, m.used FROM cpu c INNER JOIN mem m ON c.hostname = m.hostname AND c.time = m.time",
        "SELECT * FROM cpu JOIN mem ON cpu.hostname = mem.hostname LEFT JOIN disk AS d ON d.hostname = cpu.hostname",
        "SELECT * FROM cpu LEFT OUTER JOIN mem ON cpu.time = mem.time RIGHT JOIN disk ON TRUE FULL OUTER JOIN net ON 1 = 1",
        "SELECT * FROM cpu CROSS JOIN mem, disk",
        "SELECT hostname FROM cpu UNION ALL SELECT hostname FROM mem",
        "SELECT hostname FROM cpu UNION ALL SELECT hostname FROM mem UNION ALL SELECT 'x' ORDER BY 1 LIMIT 10 OFFSET 2",
        "(SELECT 1 LIMIT 1) UNION ALL (SELECT 2 ORDER BY 1) UNION ALL SELECT 3",
        "(SELECT a FROM t)",
        "WITH x AS (SELECT 1 AS a) (SELECT a FROM x)",
        "WITH x AS (SELECT 1 AS a) SELECT a FROM x UNION ALL SELECT a FROM x",
        "SELECT * FROM (SELECT 1 UNION ALL SELECT 2) AS u",
        "SELECT * FROM ((SELECT 1 LIMIT 1) UNION ALL SELECT 2) AS u",
        "SELECT ((SELECT 1 LIMIT 1) UNION ALL SELECT 2), ((SELECT 1)) + 1, 1 IN ((SELECT 1 LIMIT 1) UNION ALL SELECT 2), 1 IN ((SELECT 1))",
        "SELECT EXISTS ((SELECT 1 LIMIT 1) UNION ALL SELECT 2)",
        // Expressions.
        "SELECT CASE WHEN usage_user > 90 THEN 'high' WHEN usage_user > 50 THEN 'mid' ELSE 'low' END AS level FROM cpu",
        "SELECT CASE hostname WHEN 'a' THEN 1 WHEN 'b' THEN 2 END FROM cpu",
        "SELECT CAST(usage_user AS BIGINT), CAST(x AS int), CAST(x AS integer), CAST(x AS double precision), CAST(x AS float), CAST(x AS real), CAST(x AS varchar(10)), CAST(x AS text), CAST(x AS string), CAST(x AS boolean), CAST(x AS timestamp) FROM cpu",
        "SELECT usage_user::bigint, '2016-01-01'::timestamp, 1::text::int, -x::double FROM cpu",
        "SELECT * FROM cpu WHERE hostname LIKE 'host_%' OR hostname NOT LIKE '%x' OR region ILIKE 'US%' OR region NOT ILIKE 'eu%'",
        "SELECT * FROM cpu WHERE hostname ~ '^host_[0-9]+$' AND region !~ 'eu' AND a ~* 'X' AND b !~* 'y'",
        "SELECT * FROM cpu WHERE usage_user BETWEEN 10 AND 20 AND usage_system NOT BETWEEN 1 + 1 AND 3 * 2",
        "SELECT * FROM cpu WHERE hostname IS NULL OR region IS NOT NULL",
        "SELECT 'a' || 'b' || hostname, 1 + 2 * 3 - 4 / 5 % 6, -(1 + 2), - -1, +5 FROM cpu",
        "SELECT 1.5, .5, 1., 1e10, 2.5E-3, 9223372036854775807, 9223372036854775808, TRUE, FALSE, NULL",
        "SELECT 'it''s', '', 'multi\nline'",
        "SELECT * FROM cpu WHERE hostname = $host AND usage_user > $1",
        "SELECT * FROM cpu WHERE NOT (a = 1 OR b = 2) AND NOT NOT c",
        "SELECT coalesce(usage_user, 0), nullif(a, b), abs(-1), round(usage_user, 2) FROM cpu",
        "SELECT hostname, count(*) AS n FROM cpu GROUP BY hostname HAVING count(*) > 10 ORDER BY n DESC NULLS FIRST, hostname ASC LIMIT $n OFFSET 0",
        "SELECT * FROM cpu OFFSET 10 LIMIT 5",
        "SELECT time, usage_user FROM cpu WHERE time > now() - INTERVAL '1 day' ORDER BY time",
        "SELECT timestamp FROM t WHERE time BETWEEN TIMESTAMP '2016-01-01T00:00:00Z' AND timestamp '2016-01-02 00:00:00'",
        "SELECT date_bin(INTERVAL '10 seconds', time, '1970-01-01T00:00:00Z'::timestamp) AS t FROM cpu",
        "-- leading comment\nSELECT /* inline /* nested */ comment */ 1 -- trailing",
        "SELECT a AS \"order\", b AS first, c AS tables FROM t ORDER BY first, last",
        "SELECT sum(x) / count(x) AS mean FROM t",
        "SELECT \"ÄÖ\", ünïcode FROM \"tâble\"",
        // EXTRACT and AT TIME ZONE.
        "SELECT EXTRACT(year FROM time) AS y, extract('dow' FROM time), EXTRACT(epoch FROM time AT TIME ZONE 'Europe/Berlin') FROM cpu WHERE EXTRACT(hour FROM time) BETWEEN 9 AND 17",
        "SELECT time AT TIME ZONE 'America/New_York' AS local, date_bin(INTERVAL '1 day', time AT TIME ZONE $tz) AS day, -x AT TIME ZONE 'UTC', a * b AT TIME ZONE 'z' FROM cpu",
        // Window functions.
        "SELECT host, time, row_number() OVER (PARTITION BY host ORDER BY time) AS rn, rank() OVER (ORDER BY usage DESC), dense_rank() OVER (ORDER BY usage) FROM cpu",
        "SELECT lag(usage) OVER (PARTITION BY host ORDER BY time), lead(usage, 2, -1.0) OVER (PARTITION BY host ORDER BY time) FROM cpu",
        "SELECT avg(usage) OVER (PARTITION BY host ORDER BY time ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS moving FROM cpu",
        "SELECT sum(usage) OVER (ORDER BY time ROWS UNBOUNDED PRECEDING), count(*) OVER (), max(usage) OVER (PARTITION BY host) FROM cpu",
        "SELECT first_value(usage) OVER (PARTITION BY host ORDER BY time RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM cpu",
        "SELECT host, sum(count(*)) OVER (ORDER BY host) FROM cpu GROUP BY host ORDER BY row_number() OVER (ORDER BY host DESC)",
        "SELECT usage - lag(usage, 1) OVER (PARTITION BY host ORDER BY time) AS delta FROM cpu WHERE a OR b OR c",
    ];
}
