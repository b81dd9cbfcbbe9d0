using BenchmarkDotNet.Attributes;
using Tsdb.PromQL;

namespace Tsdb.Benchmarks.PromQL;

/// <summary>
/// Range queries over 100 counters scraped every 15 s for a day (576,100 samples), evaluated from 2 h to 24 h every
/// minute (1,321 steps): the shapes Grafana dashboards send most (rate + sum by, a subquery, group_left).
/// </summary>
[MemoryDiagnoser]
public class RangeQueryBenchmarks
{
    private const long Day = 86_400_000;

    private PromQLEngine _engine = null!;

    [Params("sum by (job) (rate(req_total[5m]))", "max_over_time(rate(req_total[5m])[1h:1m])", "req_total / on(instance) group_left sum by (instance) (req_total)")]
    public string Query { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var source = new MemorySeriesSource();
        for (var s = 0; s < 100; s++)
        {
            var labels = Labels.From(("__name__", "req_total"), ("instance", "i" + s), ("job", "j" + (s % 5)));
            for (long t = 0; t <= Day; t += 15_000)
            {
                source.Add(labels, t, t / 1000.0 * (s + 1));
            }
        }
        _engine = new PromQLEngine(source);
    }

    [Benchmark]
    public async Task<int> Range()
    {
        var result = await _engine.RangeQueryAsync(Query, 2 * 3_600_000, Day, 60_000, CancellationToken.None);
        return ((MatrixValue)result.Value).Series.Count;
    }
}
