using Tsdb.Catalog;
using Tsdb.LineProtocol;
using Tsdb.Wal;

namespace Tsdb.Ingest;

/// <summary>
/// The line-protocol write path: parse, check against the catalog, build one Arrow batch per table and day,
/// append to the WAL and wait until it is durable. The rows reach the write buffer through the WAL's listener.
/// </summary>
public sealed class LineProtocolIngester(Catalog.Catalog catalog, WriteAheadLog wal, TimeProvider time, Func<bool> isOverBudget)
{
    public async ValueTask<WriteOutcome> WriteAsync(WriteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        WriteOutcome outcome;
        try
        {
            outcome = await WriteCoreAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            WriteMetrics.Record(request.Api, "error", 0, 0, request.Body.Length);
            throw;
        }
        WriteMetrics.Record(request.Api, WriteMetrics.OutcomeOf(outcome), outcome.LinesWritten, outcome.RejectedWhole ? outcome.LineErrors.Count + outcome.LinesWritten : outcome.LineErrors.Count, request.Body.Length);
        return outcome;
    }

    private async ValueTask<WriteOutcome> WriteCoreAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        if (isOverBudget())
        {
            return new WriteOutcome(WriteRequestError.Overloaded, "the write buffer is full; retry after the data has been persisted");
        }
        var defaultTime = DefaultTime(request.Precision);

        // First pass against the current catalog, lock-free. Only a write that brings a new database, table or
        // column takes the catalog lock, and is staged again inside it so its schema changes are checked in order.
        var now = time.GetUtcNow();
        var pass = Stage(request, catalog.Current.FindDatabase(request.Database), editor: null, defaultTime, now);
        if (pass.Stager?.NeedsSchemaChange == true)
        {
            pass.Stager?.Dispose();
            // The edit runs again when another writer took the catalog version first: each run lets go of the
            // stager of the run before, so only the last run's stager lives on.
            RequestStager? earlier = null;
            try
            {
                pass = await catalog.UpdateAsync(editor =>
                {
                    earlier?.Dispose();
                    earlier = null;
                    if (editor.EnsureDatabase(request.Database, out _) is { } error)
                    {
                        return new StagePass(null, [], error.Kind == CatalogErrorKind.LimitExceeded ? WriteRequestError.DatabaseLimit : WriteRequestError.InvalidDatabaseName, error.Message);
                    }
                    var staged = Stage(request, null, editor, defaultTime, now);
                    earlier = staged.Stager;
                    return staged;
                }, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                earlier?.Dispose();
                throw;
            }
        }
        if (pass.RequestError != WriteRequestError.None)
        {
            return new WriteOutcome(pass.RequestError, pass.RequestErrorMessage);
        }
        using var stager = pass.Stager!;
        if (pass.Errors.Count > 0 && !request.AcceptPartial)
        {
            return new WriteOutcome(0, pass.Errors, stager.LimitExceeded, rejectedWhole: true, sequence: null);
        }
        long? sequence = null;
        if (stager.LinesStaged > 0)
        {
            var writes = stager.Build();
            sequence = await wal.AppendAsync(request.Database, writes, sync: !request.NoSync, cancellationToken).ConfigureAwait(false);
        }
        return new WriteOutcome(stager.LinesStaged, pass.Errors, stager.LimitExceeded, rejectedWhole: false, sequence);
    }

    private readonly record struct StagePass(RequestStager? Stager, List<LineError> Errors, WriteRequestError RequestError, string? RequestErrorMessage);

    private static StagePass Stage(WriteRequest request, DatabaseDefinition? database, CatalogEditor? editor, long defaultTime, DateTimeOffset now)
    {
        var stager = new RequestStager(request.Database, database, editor, request.Precision, defaultTime, now);
        var errors = new List<LineError>();
        var line = new ParsedLine();
        var body = request.Body.Span;
        var reader = new LineProtocolReader(body);
        var sawLine = false;
        while (reader.TryReadLine(line, out var parseError))
        {
            sawLine = true;
            var error = parseError ?? stager.Stage(line, body);
            if (stager.NeedsSchemaChange)
            {
                // Against a snapshot: stop here, the caller stages everything again inside a catalog update.
                return new StagePass(stager, errors, WriteRequestError.None, null);
            }
            if (error is { } e)
            {
                errors.Add(e);
                if (!request.AcceptPartial)
                {
                    break;
                }
            }
        }
        if (!sawLine)
        {
            return new StagePass(null, errors, WriteRequestError.EmptyBody, "the write has no lines (the body is empty or only comments)");
        }
        return new StagePass(stager, errors, WriteRequestError.None, null);
    }

    /// <summary>Server time for lines without a timestamp: taken once per request, cut to the request's precision.</summary>
    private long DefaultTime(Precision precision)
    {
        var ticks = (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks;
        var nanoseconds = ticks * 100;
        var unit = precision switch
        {
            Precision.Second => 1_000_000_000L,
            Precision.Millisecond => 1_000_000L,
            Precision.Microsecond => 1_000L,
            _ => 1L,
        };
        return nanoseconds - (nanoseconds % unit);
    }
}
