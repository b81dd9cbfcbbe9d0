using Tsdb.Catalog;
using Tsdb.LineProtocol;
using Tsdb.Wal;

namespace Tsdb.Ingest;

/// <summary>
/// The line-protocol write path: parse, then the shared <see cref="WritePath"/> (catalog checks, one Arrow batch per
/// table and day, WAL append, wait until durable). Good lines are stored when others are bad unless the request asks
/// for all or nothing.
/// </summary>
public sealed class LineProtocolIngester
{
    private readonly WritePath _path;

    public LineProtocolIngester(Catalog.Catalog catalog, WriteAheadLog wal, TimeProvider time, Func<bool> isOverBudget)
        : this(new WritePath(catalog, wal, time, isOverBudget))
    {
    }

    public LineProtocolIngester(WritePath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _path = path;
    }

    /// <summary>The shared write path this ingester stages through, for the other protocols of the same server.</summary>
    public WritePath Path => _path;

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
        if (_path.IsOverBudget)
        {
            return new WriteOutcome(WriteRequestError.Overloaded, WritePath.OverloadedMessage);
        }
        var defaultTime = DefaultTime(request.Precision);
        var staged = await _path.StageAsync(request.Database, stager => Read(request, stager, defaultTime), cancellationToken).ConfigureAwait(false);
        if (staged.DatabaseError is { } dbError)
        {
            return new WriteOutcome(dbError.Kind == CatalogErrorKind.LimitExceeded ? WriteRequestError.DatabaseLimit : WriteRequestError.InvalidDatabaseName, dbError.Message);
        }
        using var stager = staged.Stager!;
        var pass = staged.Pass!;
        if (pass.Empty)
        {
            return new WriteOutcome(WriteRequestError.EmptyBody, "the write has no lines (the body is empty or only comments)");
        }
        if (pass.Errors.Count > 0 && !request.AcceptPartial)
        {
            return new WriteOutcome(0, pass.Errors, stager.LimitExceeded, rejectedWhole: true, sequence: null);
        }
        var sequence = await _path.AppendAsync(request.Database, stager, sync: !request.NoSync, cancellationToken).ConfigureAwait(false);
        return new WriteOutcome(pass.LinesStaged, pass.Errors, stager.LimitExceeded, rejectedWhole: false, sequence);
    }

    private sealed record LinePass(List<LineError> Errors, int LinesStaged, bool Empty);

    /// <summary>One pass over the body into <paramref name="stager"/>; stops early when a schema change is needed.</summary>
    private static LinePass Read(WriteRequest request, WriteStager stager, long defaultTime)
    {
        var rows = new LineProtocolRows(stager, request.Precision, defaultTime);
        var errors = new List<LineError>();
        var line = new ParsedLine();
        var body = request.Body.Span;
        var reader = new LineProtocolReader(body);
        var sawLine = false;
        while (reader.TryReadLine(line, out var parseError))
        {
            sawLine = true;
            var error = parseError ?? rows.Stage(line, body);
            if (stager.NeedsSchemaChange)
            {
                // Against a snapshot: stop here, the write path stages everything again inside a catalog update.
                break;
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
        return new LinePass(errors, rows.LinesStaged, !sawLine);
    }

    /// <summary>Server time for lines without a timestamp: taken once per request, cut to the request's precision.</summary>
    private long DefaultTime(Precision precision)
    {
        var ticks = (_path.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks;
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
