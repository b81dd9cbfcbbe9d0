using System.Collections.Concurrent;
using Tsdb.Catalog;
using Tsdb.Wal;

namespace Tsdb.Prometheus;

/// <summary>
/// The remote-write path: snappy + protobuf → series → checked against the catalog → Arrow batches (one per table
/// and day) → WAL, acknowledged once the WAL record is fsynced. No line protocol is rendered on the way. The good
/// series of a request are stored even when some are refused (the answer is then a 400, which senders do not retry).
/// </summary>
/// <param name="time">The clock retention is judged by (samples older than their table's retention are dropped).</param>
public sealed class RemoteWriteIngester(Catalog.Catalog catalog, WriteAheadLog wal, Func<bool> isOverBudget, MetricMetadataStore metadata, TimeProvider? time = null)
{
    private const int MaxReportedErrors = 10;

    public MetricMetadataStore Metadata { get; } = metadata;

    /// <summary>Decodes and stores one request. Throws <see cref="WalUnavailableException"/> when the WAL cannot write.</summary>
    public async ValueTask<RemoteWriteOutcome> WriteAsync(string database, ReadOnlyMemory<byte> body, RemoteWriteVersion version, CancellationToken cancellationToken = default)
    {
        if (Refuse(database) is { } refusal)
        {
            return refusal;
        }
        var series = RentSeriesList();
        try
        {
            try
            {
                series = RemoteWriteDecoder.Decode(body.Span, version, database, Metadata, series);
            }
            catch (RemoteWriteDecodeException e)
            {
                return RemoteWriteOutcome.Refused(RemoteWriteStatus.BadRequest, e.Message);
            }
            return await StoreAsync(database, series, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReturnSeriesList(series);
        }
    }

    /// <summary>
    /// Stores series another protocol decoded (OTLP), with the same checks, staging and WAL append as a remote-write
    /// request. <paramref name="refused"/> gets the index of every series refused or cut by retention, so the caller
    /// can count what it could not store in its own terms. Throws <see cref="WalUnavailableException"/>.
    /// </summary>
    public ValueTask<RemoteWriteOutcome> WriteSeriesAsync(string database, List<PromSeries> series, List<int> refused, CancellationToken cancellationToken = default) =>
        Refuse(database) is { } refusal ? ValueTask.FromResult(refusal) : StoreAsync(database, series, refused, cancellationToken);

    private RemoteWriteOutcome? Refuse(string database) =>
        Names.ValidateDatabaseName(database) is { } badName ? RemoteWriteOutcome.Refused(RemoteWriteStatus.BadRequest, badName)
        : isOverBudget() ? RemoteWriteOutcome.Refused(RemoteWriteStatus.Overloaded, "the write buffer is full; retry after the data has been persisted")
        : null;

    private async ValueTask<RemoteWriteOutcome> StoreAsync(string database, List<PromSeries> series, List<int>? refused, CancellationToken cancellationToken)
    {
        var staged = await StageAsync(database, series, refused, cancellationToken).ConfigureAwait(false);
        if (staged.Refusal is { } refusal)
        {
            return refusal;
        }
        var pass = staged.Pass!;
        using var stager = pass.Stager;
        if (stager.SamplesStaged > 0)
        {
            await wal.AppendAsync(database, stager.Build(), sync: true, cancellationToken).ConfigureAwait(false);
        }
        if (pass.Errors.Count == 0 && stager.OutOfBounds.Count == 0)
        {
            return new RemoteWriteOutcome(RemoteWriteStatus.Ok, null, stager.SamplesStaged, 0, 0);
        }
        var problems = pass.Errors.Concat(stager.OutOfBounds).ToList();
        var shown = string.Join("; ", problems.Take(MaxReportedErrors));
        var more = problems.Count > MaxReportedErrors ? $" (and {problems.Count - MaxReportedErrors} more)" : "";
        // As Prometheus answers samples outside its TSDB's bounds: a 400 (senders do not retry it), the rest stored.
        var message = stager.OutOfBounds.Count == 0
            ? $"{pass.Errors.Count} series refused, {stager.SamplesStaged} samples of the other series stored: {shown}{more}"
            : $"out of bounds: {stager.SamplesOutOfBounds} samples older than the retention period dropped" + (pass.Errors.Count > 0 ? $", {pass.Errors.Count} series refused" : "") + $", {stager.SamplesStaged} other samples stored: {shown}{more}";
        return new RemoteWriteOutcome(stager.LimitExceeded ? RemoteWriteStatus.LimitExceeded : RemoteWriteStatus.BadRequest, message, stager.SamplesStaged, 0, 0);
    }

    private sealed record StagePass(RemoteWriteStager Stager, List<string> Errors);

    private readonly record struct Staged(StagePass? Pass, RemoteWriteOutcome? Refusal);

    /// <summary>Stages the series, creating tables and columns when they are new.</summary>
    private async ValueTask<Staged> StageAsync(string database, List<PromSeries> series, List<int>? refused, CancellationToken cancellationToken)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var pass = Stage(series, catalog.Current.FindDatabase(database), editor: null, database, now, refused);
        if (!pass.Stager.NeedsSchemaChange)
        {
            return new Staged(pass, null);
        }
        pass.Stager.Dispose();
        // The edit runs again when another writer took the catalog version first: each run lets go of the stager of
        // the run before.
        RemoteWriteStager? earlier = null;
        (StagePass? Pass, CatalogError? Error) created;
        try
        {
            created = await catalog.UpdateAsync(editor =>
            {
                earlier?.Dispose();
                earlier = null;
                if (editor.EnsureDatabase(database, out _) is { } error)
                {
                    return (Pass: (StagePass?)null, Error: error);
                }
                var staged = Stage(series, null, editor, database, now, refused);
                earlier = staged.Stager;
                return (Pass: staged, Error: (CatalogError?)null);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            earlier?.Dispose();
            throw;
        }
        if (created.Error is { } dbError)
        {
            return new Staged(null, RemoteWriteOutcome.Refused(dbError.Kind == CatalogErrorKind.LimitExceeded ? RemoteWriteStatus.LimitExceeded : RemoteWriteStatus.BadRequest, dbError.Message));
        }
        return new Staged(created.Pass!, null);
    }

    private const int MaxPooledSeries = 1 << 16;

    private static readonly ConcurrentQueue<List<PromSeries>> SpareSeriesLists = new();

    private static List<PromSeries> RentSeriesList() => SpareSeriesLists.TryDequeue(out var list) ? list : [];

    private static void ReturnSeriesList(List<PromSeries> list)
    {
        if (list.Capacity <= MaxPooledSeries && SpareSeriesLists.Count < 32)
        {
            list.Clear();
            SpareSeriesLists.Enqueue(list);
        }
    }

    private static StagePass Stage(List<PromSeries> series, DatabaseDefinition? database, CatalogEditor? editor, string databaseName, DateTimeOffset now, List<int>? refused)
    {
        var stager = new RemoteWriteStager(databaseName, database, editor, now);
        var errors = new List<string>();
        refused?.Clear();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (s.DecodeError is { } decodeError)
            {
                errors.Add($"series {s.Describe()}: {decodeError}");
                refused?.Add(i);
                continue;
            }
            var outOfBounds = stager.SamplesOutOfBounds;
            var error = stager.Stage(in s);
            if (stager.NeedsSchemaChange)
            {
                return new StagePass(stager, errors);
            }
            if (error is not null)
            {
                errors.Add(error);
            }
            if (error is not null || stager.SamplesOutOfBounds != outOfBounds)
            {
                refused?.Add(i);
            }
            if (s.HistogramCount > 0)
            {
                errors.Add($"series {s.Describe()}: native histograms are not supported ({s.HistogramCount} histogram samples refused; its float samples were stored)");
            }
        }
        return new StagePass(stager, errors);
    }
}
