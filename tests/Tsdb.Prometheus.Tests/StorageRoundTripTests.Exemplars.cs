using Google.Protobuf;
using Tsdb.Core.Compression;
using Tsdb.PromQL;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Persistence;
using MatchType = Tsdb.PromQL.MatchType;
using V1 = Tsdb.Prometheus.Protocol.V1;
using V2 = Tsdb.Prometheus.Protocol.V2;

namespace Tsdb.Prometheus.Tests;

/// <summary>Exemplars through remote write, WAL, buffer, Parquet and compaction into their exemplar tables, and back out.</summary>
public sealed partial class StorageRoundTripTests
{
    private StorageExemplarSource Exemplars => new(_catalog, new StorageTableSource(_catalog, _buffer, new ParquetFiles(_store)), Db);

    private static V1.TimeSeries WithExemplars(V1.TimeSeries series, params (long Ms, double Value, (string Name, string Value)[] Labels)[] exemplars)
    {
        foreach (var (ms, value, labels) in exemplars)
        {
            var exemplar = new V1.Exemplar { Timestamp = ms, Value = value };
            foreach (var (name, text) in labels)
            {
                exemplar.Labels.Add(new V1.Label { Name = name, Value = text });
            }
            series.Exemplars.Add(exemplar);
        }
        return series;
    }

    /// <summary>"series: {labels}=value@t …" per series, in the order the source gives them.</summary>
    private async Task<string> ShowExemplars(long start = long.MinValue / 2, long end = long.MaxValue / 2, params LabelMatcher[][] selectors) =>
        string.Join("\n", (await Exemplars.SelectAsync(selectors.Length == 0 ? [[new LabelMatcher("__name__", MatchType.RegexMatch, ".+")]] : selectors, start, end, default))
            .Select(s => $"{s.SeriesLabels}: " + string.Join(" ", s.Exemplars.Select(e => $"{e.Labels}={e.Value}@{e.TimestampMs}"))));

    [Fact]
    public async Task Exemplars_keep_their_labels_value_and_time_through_buffer_wal_replay_parquet_and_compaction()
    {
        var outcome = await Send(
            WithExemplars(WithSamples(Series(("__name__", "http_requests_total"), ("job", "api"), ("code", "200")), (1000, 1), (2000, 2)),
                (1000, 0.25, [("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"), ("span_id", "00f067aa0ba902b7")]),
                (1500, 3, [("trace_id", "ünïcode \"quoted\"")])),
            WithExemplars(WithSamples(Series(("__name__", "http_requests_total"), ("job", "api"), ("code", "500")), (1000, 1)),
                (900, 7, [])));
        Assert.True(outcome.Status == RemoteWriteStatus.Ok, outcome.Message);
        Assert.Equal((3L, 3L), (outcome.SamplesWritten, outcome.ExemplarsWritten));
        const string expected = """
            http_requests_total{code="200", job="api"}: {span_id="00f067aa0ba902b7", trace_id="4bf92f3577b34da6a3ce929d0e0e4736"}=0.25@1000 {trace_id="ünïcode \"quoted\""}=3@1500
            http_requests_total{code="500", job="api"}: {}=7@900
            """;

        async Task Check(string where)
        {
            Assert.True(expected.ReplaceLineEndings("\n") == await ShowExemplars(), $"{where}:\n{await ShowExemplars()}");
            // The exemplar table is no metric: PromQL's series are only the samples'.
            Assert.Equal(["http_requests_total{code=\"200\", job=\"api\"}", "http_requests_total{code=\"500\", job=\"api\"}"],
                (await Source.SeriesAsync([], long.MinValue / 2, long.MaxValue / 2, default)).Select(l => l.ToString()));
        }

        await Check("buffer");
        _persister.Dispose();
        await _wal.DisposeAsync();
        OpenWal();
        await Check("after WAL replay");
        await _persister.PersistAsync();
        Assert.Equal(0, _buffer.RowCount);
        await Check("Parquet");
        // A later exemplar at the same time replaces the earlier one (rows with the same tags and time merge).
        Assert.Equal(RemoteWriteStatus.Ok, (await Send(WithExemplars(Series(("__name__", "http_requests_total"), ("job", "api"), ("code", "500")), (900, 8, [("trace_id", "b")])))).Status);
        await _persister.PersistAsync();
        var replaced = expected.Replace("{}=7@900", "{trace_id=\"b\"}=8@900", StringComparison.Ordinal);
        Assert.Equal(replaced.ReplaceLineEndings("\n"), await ShowExemplars());
        await NewCompactor().CompactAsync(minFiles: 2);
        Assert.Equal(replaced.ReplaceLineEndings("\n"), await ShowExemplars());
    }

    [Fact]
    public async Task Exemplars_are_selected_by_every_selector_and_by_time_both_ends_included()
    {
        await Send(
            WithExemplars(WithSamples(Series(("__name__", "a"), ("job", "x")), (1000, 1)), (1000, 1, [("t", "1")]), (2000, 2, [("t", "2")]), (3000, 3, [("t", "3")])),
            WithExemplars(WithSamples(Series(("__name__", "a"), ("job", "y")), (1000, 1)), (1000, 4, [("t", "4")])),
            WithExemplars(WithSamples(Series(("__name__", "b"), ("job", "x")), (1000, 1)), (2000, 5, [("t", "5")])));
        Assert.Equal("a{job=\"x\"}: {t=\"2\"}=2@2000 {t=\"3\"}=3@3000", await ShowExemplars(2000, 3000, [new LabelMatcher("__name__", MatchType.Equal, "a"), new LabelMatcher("job", MatchType.Equal, "x")]));
        Assert.Equal("a{job=\"x\"}: {t=\"2\"}=2@2000\nb{job=\"x\"}: {t=\"5\"}=5@2000",
            await ShowExemplars(1500, 2500, [new LabelMatcher("__name__", MatchType.Equal, "a"), new LabelMatcher("job", MatchType.NotEqual, "y")], [new LabelMatcher("__name__", MatchType.Equal, "b")]));
        Assert.Equal("", await ShowExemplars(selectors: [new LabelMatcher("job", MatchType.Equal, "z")]));
        Assert.Equal("absent", (await Assert.ThrowsAsync<DatabaseNotFoundException>(() =>
            new StorageExemplarSource(_catalog, new StorageTableSource(_catalog, _buffer, null), "absent").SelectAsync([], 0, 1, default).AsTask())).Database);
    }

    [Fact]
    public async Task Invalid_exemplars_are_refused_alone_and_the_series_samples_stored()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await _catalog.UpdateAsync(e =>
        {
            e.EnsureDatabase(Db, out _);
            e.SetRetention(Db, TimeSpan.FromHours(1));
            return true;
        });
        var outcome = await Send(WithExemplars(WithSamples(Series(("__name__", "m"), ("job", "a")), (now, 1)),
            (now, 1, [("trace_id", new string('x', 120))]),             // 8 + 120 characters: at the limit
            (now + 1, 2, [("trace_id", new string('é', 121))]),          // 129 characters (242 bytes)
            (now + 2, 3, [("", "v")]),
            (now + 3, 4, [("k", "1"), ("k", "2")]),
            (now - 7_200_000, 5, [("old", "1")])));
        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.Equal((1L, 1L), (outcome.SamplesWritten, outcome.ExemplarsWritten));
        Assert.StartsWith("4 exemplars refused, 1 samples (and 1 exemplars) stored: series m{job=\"a\"}: exemplar {trace_id=\"ééé", outcome.Message, StringComparison.Ordinal);
        Assert.Contains($"\"}} at {now + 1} ms: label length for exemplar exceeds maximum of 128 UTF-8 characters", outcome.Message, StringComparison.Ordinal);
        Assert.Contains($"exemplar {{=\"v\"}} at {now + 2} ms: an exemplar label has an empty name", outcome.Message, StringComparison.Ordinal);
        Assert.Contains($"at {now + 3} ms: exemplar label 'k' appears more than once", outcome.Message, StringComparison.Ordinal);
        Assert.Contains($"exemplar {{old=\"1\"}} at {now - 7_200_000} ms: out of bounds: point time ", outcome.Message, StringComparison.Ordinal);
        Assert.Equal("m{job=\"a\"}=1", string.Join(",", (await Select(Eq("__name__", "m"))).Select(s => $"{s.Labels}={s.Values[0]}")));
        Assert.Equal($"m{{job=\"a\"}}: {{trace_id=\"{new string('x', 120)}\"}}=1@{now}", await ShowExemplars());
    }

    [Fact]
    public async Task A_metric_named_like_an_exemplar_table_is_refused_and_exemplars_without_samples_are_stored()
    {
        var outcome = await Send(
            WithSamples(Series(("__name__", "m#exemplars")), (1000, 1)),
            WithExemplars(Series(("__name__", "only"), ("job", "a")), (1000, 2, [("trace_id", "t")])));
        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.Equal("1 series refused, 0 samples (and 1 exemplars) of the other series stored: series m#exemplars{}: metric names ending in '#exemplars' are reserved for the tables of exemplars", outcome.Message);
        Assert.Equal("only{job=\"a\"}: {trace_id=\"t\"}=2@1000", await ShowExemplars());
        Assert.Equal(["only#exemplars"], _catalog.Current.FindDatabase(Db)!.Tables.Select(t => t.Name));
    }

    [Fact]
    public async Task Version_2_exemplars_resolve_symbols_and_a_bad_reference_refuses_only_that_exemplar()
    {
        var request = new V2.Request();
        request.Symbols.AddRange(["", "__name__", "requests_total", "code", "200", "trace_id", "abc"]);
        var series = new V2.TimeSeries();
        series.LabelsRefs.AddRange([1, 2, 3, 4]);
        series.Samples.Add(new V2.Sample { Timestamp = 5000, Value = 7 });
        var good = new V2.Exemplar { Timestamp = 5000, Value = 1.5 };
        good.LabelsRefs.AddRange([5, 6]);
        var bad = new V2.Exemplar { Timestamp = 5001, Value = 2 };
        bad.LabelsRefs.AddRange([5, 77]);
        series.Exemplars.AddRange([good, bad]);
        request.Timeseries.Add(series);
        var outcome = await _ingester.WriteAsync(Db, Snappy.Compress(request.ToByteArray()), RemoteWriteVersion.V2);
        Assert.Equal(RemoteWriteStatus.BadRequest, outcome.Status);
        Assert.Equal((1L, 1L), (outcome.SamplesWritten, outcome.ExemplarsWritten));
        Assert.Equal("1 exemplars refused, 1 samples (and 1 exemplars) stored: series requests_total{code=\"200\"}: exemplar {} at 5001 ms: exemplar labels_refs entry 77 is outside the symbols table (7 symbols)", outcome.Message);
        Assert.Equal("requests_total{code=\"200\"}: {trace_id=\"abc\"}=1.5@5000", await ShowExemplars());
    }
}
