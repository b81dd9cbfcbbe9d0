using System.Globalization;
using Tsdb.Catalog.Log;
using Tsdb.ObjectStore;

namespace Tsdb.Catalog;

/// <summary>
/// Keeps the catalog in the object store as a log of small records plus periodic checkpoints:
/// <list type="bullet">
/// <item><c>catalog/log/{version:D20}.json</c>: one record per version, only what changed from the version before
/// (<see cref="CatalogRecord"/>), written with put-if-absent, so of two writers that both start from version N exactly
/// one publishes N+1; the other gets false from <see cref="AppendAsync"/> and catches up.</item>
/// <item><c>catalog/checkpoints/{version:D20}.bin</c>: the whole catalog at that version (the binary
/// <see cref="CatalogCheckpoint"/> format), written in the background every <see cref="CatalogLogOptions.CheckpointInterval"/>
/// records, after the record it sums up.</item>
/// <item><c>catalog/checkpoints/{version:D20}.json</c>: a checkpoint as servers before the binary format wrote it
/// (JSON). Still read; at one version the binary one is read first.</item>
/// <item><c>catalog/{version:D20}.json</c>: the layout before the log, one whole catalog per version. Still read, as
/// checkpoints; a directory written that way loads from its newest one and continues with the log.</item>
/// </list>
/// Load is the newest readable checkpoint plus the records after it, in order, up to the first missing one.
/// Records and checkpoints behind the oldest kept checkpoint, and older than <see cref="CatalogLogOptions.RecordRetention"/>,
/// are deleted after a checkpoint; losing that cleanup to a crash is harmless.
/// </summary>
public sealed class ObjectStoreCatalogStore : ICatalogStore
{
    public const string Prefix = "catalog/";
    public const string LogPrefix = "catalog/log/";
    public const string CheckpointPrefix = "catalog/checkpoints/";

    private const string JsonSuffix = ".json";
    private const string BinarySuffix = ".bin";

    /// <summary>Log records fetched at once at start-up.</summary>
    private const int ParallelRecordReads = 16;

    private readonly IObjectStore _store;
    private readonly CatalogLogOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _checkpointLock = new();
    private long _lastContactTicks; // 0: never heard, so the first append looks first
    private long _lastCheckpoint;
    private Task _checkpointing = Task.CompletedTask;

    public ObjectStoreCatalogStore(IObjectStore store, CatalogLogOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new CatalogLogOptions();
        _time = time ?? TimeProvider.System;
        if (_options.CheckpointInterval < 1 || _options.KeepCheckpoints < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "the checkpoint interval and the checkpoints kept must be at least 1");
        }
    }

    /// <summary>Why the last background checkpoint failed, or null; the next append tries again.</summary>
    public Exception? LastCheckpointError { get; private set; }

    /// <summary>
    /// The checkpoints the last load found but could not read (each with why), newest first; the load went on from
    /// an older one and the log. Empty when every checkpoint it tried read.
    /// </summary>
    public IReadOnlyList<string> UnreadableCheckpoints { get; private set; } = [];

    public async Task<CatalogSnapshot?> LoadAsync(CancellationToken cancellationToken = default)
    {
        var started = _time.GetUtcNow();
        var loaded = await LoadCoreAsync(cancellationToken).ConfigureAwait(false);
        Heard(started);
        return loaded;
    }

    private async Task<CatalogSnapshot?> LoadCoreAsync(CancellationToken cancellationToken)
    {
        var listing = await ListAsync(cancellationToken).ConfigureAwait(false);
        if (listing.Records.Count == 0 && listing.Bases.Count == 0)
        {
            return null;
        }
        CatalogSnapshot? snapshot = null;
        var unreadable = new List<string>();
        foreach (var (version, key) in listing.Bases)
        {
            // The newest checkpoint that reads; an unreadable one (or one a cleanup just deleted) gives way to the
            // one before, and its records lead to the same newest version.
            (snapshot, var problem) = await TryReadCheckpointAsync(key, version, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                unreadable.Add(problem);
            }
            if (snapshot is not null)
            {
                break;
            }
        }
        UnreadableCheckpoints = unreadable;
        if (snapshot is null)
        {
            if (!listing.Records.ContainsKey(1))
            {
                var why = unreadable.Count > 0 ? $"; the newest: {unreadable[0]}" : "";
                throw new InvalidDataException($"the catalog has no readable checkpoint and its log does not start at version 1 ({listing.Records.Count} records, {listing.Bases.Count} checkpoints){why}");
            }
            snapshot = CatalogSnapshot.Empty;
        }
        snapshot = await ReadRecordsAsync(snapshot, listing.Records, cancellationToken).ConfigureAwait(false);
        var newest = listing.NewestVersion;
        if (newest > snapshot.Version)
        {
            // Starting here would publish version N+1 again over a history that already went further.
            throw new InvalidDataException($"the catalog log stops at version {snapshot.Version} but version {newest} exists: record {snapshot.Version + 1} is missing or unreadable");
        }
        lock (_checkpointLock)
        {
            _lastCheckpoint = Math.Max(_lastCheckpoint, listing.Bases.Count > 0 ? listing.Bases[0].Version : 0);
        }
        return snapshot;
    }

    public async Task<bool> AppendAsync(CatalogSnapshot previous, CatalogSnapshot next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        if (next.Version != previous.Version + 1)
        {
            throw new ArgumentException($"version {next.Version} does not follow version {previous.Version}", nameof(next));
        }
        var started = _time.GetUtcNow();
        if (started.UtcTicks - Volatile.Read(ref _lastContactTicks) >= _options.RecordRetention.Ticks / 2)
        {
            // Idle long enough that version next.Version may have been written and cleaned up since: look first.
            var listing = await ListAsync(cancellationToken).ConfigureAwait(false);
            if (listing.NewestVersion > previous.Version)
            {
                return false;
            }
        }
        var bytes = CatalogRecords.Serialize(CatalogRecords.Diff(previous, next));
        if (!await _store.PutIfAbsentAsync(LogKey(next.Version), bytes, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        Heard(started);
        MaybeCheckpoint(next);
        return true;
    }

    public async Task<CatalogSnapshot> CatchUpAsync(CatalogSnapshot current, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        var started = _time.GetUtcNow();
        var caughtUp = await ReadRecordsAsync(current, null, cancellationToken).ConfigureAwait(false);
        if (caughtUp.Version > current.Version)
        {
            Heard(started);
            return caughtUp;
        }
        // Nothing after current: either there is nothing new, or the records were cleaned up behind checkpoints
        // written by a writer far ahead. Only a full load tells.
        var loaded = await LoadAsync(cancellationToken).ConfigureAwait(false);
        return loaded is not null && loaded.Version > current.Version ? loaded : current;
    }

    /// <summary>Writes the whole catalog as the checkpoint of its version (a no-op if one exists), then cleans up.</summary>
    public async Task WriteCheckpointAsync(CatalogSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var (key, bytes) = _options.JsonCheckpoints
            ? (JsonCheckpointKey(snapshot.Version), CatalogSerializer.Serialize(snapshot))
            : (CheckpointKey(snapshot.Version), CatalogCheckpoint.Serialize(snapshot));
        await _store.PutIfAbsentAsync(key, bytes, cancellationToken).ConfigureAwait(false);
        await CleanUpAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for a background checkpoint in progress; throws if the last one failed.</summary>
    public async Task FlushAsync()
    {
        Task running;
        lock (_checkpointLock)
        {
            running = _checkpointing;
        }
        await running.ConfigureAwait(false);
        if (LastCheckpointError is { } error)
        {
            throw new IOException($"the last catalog checkpoint failed: {error.Message}", error);
        }
    }

    public static string LogKey(long version) => LogPrefix + Digits(version) + ".json";

    public static string CheckpointKey(long version) => CheckpointPrefix + Digits(version) + BinarySuffix;

    /// <summary>The key of a checkpoint as written before the binary format (JSON).</summary>
    public static string JsonCheckpointKey(long version) => CheckpointPrefix + Digits(version) + JsonSuffix;

    /// <summary>The key of a whole-catalog version as written before the log.</summary>
    public static string LegacyKey(long version) => Prefix + Digits(version) + ".json";

    /// <summary>The store was at the version this writer holds as of <paramref name="started"/>.</summary>
    private void Heard(DateTimeOffset started)
    {
        var ticks = started.UtcTicks;
        var seen = Volatile.Read(ref _lastContactTicks);
        while (ticks > seen)
        {
            var was = Interlocked.CompareExchange(ref _lastContactTicks, ticks, seen);
            if (was == seen)
            {
                return;
            }
            seen = was;
        }
    }

    private void MaybeCheckpoint(CatalogSnapshot snapshot)
    {
        lock (_checkpointLock)
        {
            if (snapshot.Version - _lastCheckpoint < _options.CheckpointInterval || !_checkpointing.IsCompleted)
            {
                return;
            }
            var before = _lastCheckpoint;
            _lastCheckpoint = snapshot.Version;
            _checkpointing = Task.Run(() => CheckpointInBackgroundAsync(snapshot, before));
        }
    }

    private async Task CheckpointInBackgroundAsync(CatalogSnapshot snapshot, long before)
    {
        try
        {
            await WriteCheckpointAsync(snapshot, CancellationToken.None).ConfigureAwait(false);
            LastCheckpointError = null;
        }
#pragma warning disable CA1031 // Kept, not swallowed: a lost checkpoint costs only a longer load, and the next append retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LastCheckpointError = e;
            lock (_checkpointLock)
            {
                if (_lastCheckpoint == snapshot.Version)
                {
                    _lastCheckpoint = before;
                }
            }
        }
    }

    private async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        var listing = await ListAsync(cancellationToken).ConfigureAwait(false);
        var deletable = _time.GetUtcNow() - _options.RecordRetention;
        var checkpoints = listing.Bases.Select(b => b.Version).Distinct().ToList();
        if (checkpoints.Count <= _options.KeepCheckpoints)
        {
            return;
        }
        // Everything the oldest kept checkpoint sums up is garbage: older checkpoints, and records up to its version.
        var oldestKept = checkpoints[_options.KeepCheckpoints - 1];
        foreach (var (version, key) in listing.Bases)
        {
            if (version < oldestKept && listing.Modified[key] <= deletable)
            {
                await _store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            }
        }
        foreach (var (version, key) in listing.Records)
        {
            if (version > oldestKept)
            {
                break;
            }
            if (listing.Modified[key] <= deletable)
            {
                await _store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The checkpoint, or null with why it is unreadable (no reason when a cleanup just deleted it).</summary>
    private async Task<(CatalogSnapshot? Snapshot, string? Problem)> TryReadCheckpointAsync(string key, long version, CancellationToken cancellationToken)
    {
        if (await TryGetAsync(key, cancellationToken).ConfigureAwait(false) is not { } bytes)
        {
            return (null, null);
        }
        try
        {
            var snapshot = CatalogCheckpoint.Deserialize(bytes, key);
            return snapshot.Version == version ? (snapshot, null) : (null, $"the catalog checkpoint {key} holds version {snapshot.Version}");
        }
        catch (InvalidDataException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// Applies the records after <paramref name="snapshot"/> in order, stopping at the first one missing (from
    /// <paramref name="listed"/> when given, else from the store).
    /// </summary>
    private async Task<CatalogSnapshot> ReadRecordsAsync(CatalogSnapshot snapshot, SortedDictionary<long, string>? listed, CancellationToken cancellationToken)
    {
        var records = new List<(CatalogRecord Record, string Source)>();
        if (listed is not null)
        {
            // The listing says which records there are: fetch them together (on S3 each is a round trip; a load
            // after the newest checkpoint may need 99 of them), then apply them in order up to the first missing.
            var versions = new List<long>();
            for (var version = snapshot.Version + 1; listed.ContainsKey(version); version++)
            {
                versions.Add(version);
            }
            var fetched = new byte[]?[versions.Count];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = ParallelRecordReads, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, versions.Count), parallel, async (i, token) =>
                fetched[i] = await TryGetAsync(LogKey(versions[i]), token).ConfigureAwait(false)).ConfigureAwait(false);
            for (var i = 0; i < fetched.Length && fetched[i] is { } bytes; i++)
            {
                var key = LogKey(versions[i]);
                records.Add((CatalogRecords.Deserialize(bytes, key), key));
            }
            return CatalogRecords.ApplyAll(snapshot, records);
        }
        for (var version = snapshot.Version + 1; ; version++)
        {
            var key = LogKey(version);
            if (await TryGetAsync(key, cancellationToken).ConfigureAwait(false) is not { } bytes)
            {
                break;
            }
            records.Add((CatalogRecords.Deserialize(bytes, key), key));
        }
        return CatalogRecords.ApplyAll(snapshot, records);
    }

    /// <summary>The object's bytes, or null when there is none (a record not written yet, or cleaned up).</summary>
    private async Task<byte[]?> TryGetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    private async Task<Listing> ListAsync(CancellationToken cancellationToken)
    {
        var records = new SortedDictionary<long, string>();
        var modified = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var bases = new List<(long Version, string Key, int Rank)>();
        await foreach (var meta in _store.ListAsync(Prefix, cancellationToken).ConfigureAwait(false))
        {
            var key = meta.Key;
            modified[key] = meta.LastModified;
            if (VersionAfter(key, LogPrefix, JsonSuffix) is { } record)
            {
                records[record] = key;
            }
            else if (VersionAfter(key, CheckpointPrefix, BinarySuffix) is { } checkpoint)
            {
                bases.Add((checkpoint, key, 0));
            }
            else if (VersionAfter(key, CheckpointPrefix, JsonSuffix) is { } jsonCheckpoint)
            {
                bases.Add((jsonCheckpoint, key, 1));
            }
            else if (VersionAfter(key, Prefix, JsonSuffix) is { } legacy)
            {
                bases.Add((legacy, key, 2));
            }
        }
        // Newest first; at one version a binary checkpoint, then a JSON one, then a whole catalog of the layout before the log.
        var ordered = bases.OrderByDescending(b => b.Version).ThenBy(b => b.Rank).Select(b => (b.Version, b.Key)).ToList();
        return new Listing(records, ordered, modified);
    }

    private sealed record Listing(SortedDictionary<long, string> Records, List<(long Version, string Key)> Bases, Dictionary<string, DateTimeOffset> Modified)
    {
        public long NewestVersion => Math.Max(Records.Count > 0 ? Records.Keys.Max() : 0, Bases.Count > 0 ? Bases[0].Version : 0);
    }

    private static string Digits(long version) => version.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>The version in <c>{prefix}{digits}{suffix}</c>, or null for any other key (deeper paths included).</summary>
    private static long? VersionAfter(string key, string prefix, string suffix) =>
        key.StartsWith(prefix, StringComparison.Ordinal) && key.EndsWith(suffix, StringComparison.Ordinal) && key.Length > prefix.Length + suffix.Length
            && long.TryParse(key.AsSpan(prefix.Length, key.Length - prefix.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
}
