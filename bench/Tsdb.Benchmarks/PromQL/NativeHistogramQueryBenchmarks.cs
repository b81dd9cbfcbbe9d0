using BenchmarkDotNet.Attributes;
using Tsdb.PromQL;

namespace Tsdb.Benchmarks.PromQL;

/// <summary>
/// Range queries over 100 native histogram counters (schema 3, 24 populated buckets) scraped every 15 s for 6 h
/// (144,100 histogram samples), evaluated from 2 h to 6 h every minute (241 steps): the dashboard shapes over native
/// histograms (quantile and count of a summed rate).
/// </summary>
[MemoryDiagnoser]
public class NativeHistogramQueryBenchmarks
{
    private const long End = 6 * 3_600_000;

    private PromQLEngine _engine = null!;

    [Params("histogram_quantile(0.9, sum by (job) (rate(latency[5m])))", "histogram_count(sum by (job) (rate(latency[5m])))")]
    public string Query { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var source = new MemorySeriesSource();
        var buckets = new double[24];
        for (var s = 0; s < 100; s++)
        {
            var labels = Labels.From(("__name__", "latency"), ("instance", "i" + s), ("job", "j" + (s % 5)));
            for (long t = 0; t <= End; t += 15_000)
            {
                var n = t / 15_000;
                double count = 0;
                for (var b = 0; b < buckets.Length; b++)
                {
                    buckets[b] = n * (1 + ((b + s) % 7));
                    count += buckets[b];
                }
                source.Add(labels, t, new FloatHistogram(3, 0.001, n, count + n, count * 0.01, [new HistogramSpan(-12, (uint)buckets.Length)], buckets, null, null));
            }
        }
        _engine = new PromQLEngine(source);
    }

    [Benchmark]
    public async Task<int> Range()
    {
        var result = await _engine.RangeQueryAsync(Query, 2 * 3_600_000, End, 60_000, CancellationToken.None);
        return ((MatrixValue)result.Value).Series.Count;
    }
}
