using System.Globalization;
using System.Text.Json;
using Tsdb.ObjectStore;

namespace Tsdb.Cluster;

/// <summary>
/// A lease in the object store, so that one node of many does a job (the compactor's). Each grant is a new object
/// <c>cluster/leases/{name}/{epoch}.json</c> (holder, expiry) written with put-if-absent: of the nodes that try to write
/// epoch N+1 exactly one succeeds, whether it renews its own lease or takes over an expired one. Nothing is ever
/// overwritten, so no conditional update is needed beyond put-if-absent. A holder renews well before expiry; a node
/// that cannot renew (store down, paused) stops acting once its own view of the expiry passes, and the others wait
/// for that expiry before they take over. Clocks of the nodes are assumed to agree to well within the lease.
/// </summary>
public sealed class ObjectStoreLease(IObjectStore store, string name, string holder, TimeSpan duration, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _prefix = $"cluster/leases/{name}/";
    private long _ticksHeldUntil = DateTimeOffset.MinValue.UtcTicks;

    private sealed record Grant(string Holder, DateTimeOffset ExpiresAt);

    /// <summary>This node holds the lease now (a margin of a fifth of the lease short of its expiry).</summary>
    public bool IsHeld => time.GetUtcNow().UtcTicks < Interlocked.Read(ref _ticksHeldUntil) - (duration.Ticks / 5);

    /// <summary>Who holds the lease by the newest grant, and until when; null when none was ever granted.</summary>
    public async Task<(string Holder, DateTimeOffset ExpiresAt)?> CurrentAsync(CancellationToken cancellationToken)
    {
        var newest = await NewestAsync(cancellationToken).ConfigureAwait(false);
        return newest is { Grant: { } g } ? (g.Holder, g.ExpiresAt) : null;
    }

    /// <summary>Renews the lease if this node holds it, takes it if it is free or expired; true when held afterwards.</summary>
    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        var newest = await NewestAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (newest is { Grant: { } current } && current.Holder != holder && current.ExpiresAt > now)
        {
            Interlocked.Exchange(ref _ticksHeldUntil, DateTimeOffset.MinValue.UtcTicks);
            return false;
        }
        var epoch = (newest?.Epoch ?? 0) + 1;
        var grant = new Grant(holder, now + duration);
        if (!await store.PutIfAbsentAsync(KeyOf(epoch), JsonSerializer.SerializeToUtf8Bytes(grant, Json), cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Exchange(ref _ticksHeldUntil, DateTimeOffset.MinValue.UtcTicks);
            return false; // another node wrote this epoch first
        }
        Interlocked.Exchange(ref _ticksHeldUntil, grant.ExpiresAt.UtcTicks);
        // Old grants are history: keep a few for whoever is reading the newest right now.
        await foreach (var meta in store.ListAsync(_prefix, cancellationToken).ConfigureAwait(false))
        {
            if (EpochOf(meta.Key) is { } old && old < epoch - 2)
            {
                await store.DeleteAsync(meta.Key, cancellationToken).ConfigureAwait(false);
            }
        }
        return true;
    }

    /// <summary>Gives the lease up at once (a clean stop), so another node need not wait for the expiry.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (!IsHeld)
        {
            return;
        }
        var newest = await NewestAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _ticksHeldUntil, DateTimeOffset.MinValue.UtcTicks);
        if (newest is { Grant.Holder: var h } && h == holder)
        {
            var expired = new Grant(holder, time.GetUtcNow());
            await store.PutIfAbsentAsync(KeyOf(newest.Value.Epoch + 1), JsonSerializer.SerializeToUtf8Bytes(expired, Json), cancellationToken).ConfigureAwait(false);
        }
    }

    private string KeyOf(long epoch) => _prefix + epoch.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    private long? EpochOf(string key)
    {
        var name = key.AsSpan(_prefix.Length);
        return name.EndsWith(".json") && long.TryParse(name[..^5], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) ? epoch : null;
    }

    private async Task<(long Epoch, Grant? Grant)?> NewestAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            long? newest = null;
            await foreach (var meta in store.ListAsync(_prefix, cancellationToken).ConfigureAwait(false))
            {
                if (EpochOf(meta.Key) is { } epoch && epoch > (newest ?? 0))
                {
                    newest = epoch;
                }
            }
            if (newest is not { } e)
            {
                return null;
            }
            try
            {
                return (e, JsonSerializer.Deserialize<Grant>(await store.GetAsync(KeyOf(e), cancellationToken).ConfigureAwait(false), Json));
            }
            catch (ObjectNotFoundException) when (attempt < 3)
            {
                // Cleaned up between the list and the read (a newer grant exists): look again.
            }
            catch (JsonException)
            {
                return (e, null); // unreadable: treat as expired, the next epoch replaces it
            }
        }
    }
}
