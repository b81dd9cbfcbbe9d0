using System.Security.Cryptography;
using System.Text;

namespace Tsdb.Catalog;

/// <summary>
/// The current catalog: lock-free reads of an immutable snapshot, serialised updates that are saved durably
/// before they become visible. Several catalogs may share a store (processes on one object store): an update that
/// finds its version taken reads what it missed and runs its edit again on the fresh catalog.
/// </summary>
#pragma warning disable CA1001 // The SemaphoreSlim never allocates a wait handle (only WaitAsync is used): nothing to dispose.
public sealed class Catalog
#pragma warning restore CA1001
{
    /// <summary>Tries of one update against versions published by other writers, before it gives up.</summary>
    public const int MaxAttempts = 10;

    private readonly ICatalogStore _store;
    private readonly SemaphoreSlim _updateGate = new(1, 1);
    private volatile CatalogSnapshot _current;

    /// <summary>Loads synchronously; async code uses <see cref="CreateAsync"/>.</summary>
    public Catalog(ICatalogStore store, CatalogLimits? limits = null)
        : this(store, limits, (store ?? throw new ArgumentNullException(nameof(store))).LoadAsync().GetAwaiter().GetResult())
    {
    }

    private Catalog(ICatalogStore store, CatalogLimits? limits, CatalogSnapshot? loaded)
    {
        _store = store;
        Limits = limits ?? new CatalogLimits();
        _current = loaded ?? CatalogSnapshot.Empty;
    }

    /// <summary>Loads the catalog from <paramref name="store"/> (an empty one when nothing was ever saved).</summary>
    public static async Task<Catalog> CreateAsync(ICatalogStore store, CatalogLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var loaded = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        return new Catalog(store, limits, loaded);
    }

    public CatalogLimits Limits { get; }

    public CatalogSnapshot Current => _current;

    /// <summary>
    /// Runs <paramref name="edit"/> on a working copy, one update at a time; if it changed anything, saves and
    /// publishes the new snapshot. When another writer published the version first, reads the versions it missed
    /// and runs <paramref name="edit"/> again on the fresh catalog (so it may run more than once, and must have no
    /// effect outside the editor that a later run does not undo). Returns what the last run returned.
    /// </summary>
    /// <exception cref="CatalogConflictException">other writers won <see cref="MaxAttempts"/> times in a row.</exception>
    public async Task<T> UpdateAsync<T>(Func<CatalogEditor, T> edit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        await _updateGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var basis = _current;
            for (var attempt = 1; ; attempt++)
            {
                var editor = new CatalogEditor(basis, Limits);
                var result = edit(editor);
                if (!editor.Changed)
                {
                    return result;
                }
                var next = editor.Build();
                if (await _store.AppendAsync(basis, next, cancellationToken).ConfigureAwait(false))
                {
                    _current = next;
                    return result;
                }
                if (attempt == MaxAttempts)
                {
                    throw new CatalogConflictException($"catalog version {next.Version} and the ones after it were published by other writers {MaxAttempts} times; the update was not applied");
                }
                // What the others published is durable: show it, and edit on top of it.
                basis = await _store.CatchUpAsync(basis, cancellationToken).ConfigureAwait(false);
                _current = basis;
            }
        }
        finally
        {
            _updateGate.Release();
        }
    }

    /// <summary>Reads the versions other writers published since this catalog's and makes them current.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _updateGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _current = await _store.CatchUpAsync(_current, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _updateGate.Release();
        }
    }

    /// <summary>Creates a token and returns its secret, which is shown once and never stored.</summary>
    public string CreateToken(string name, bool admin, DateTimeOffset now) =>
        CreateToken(name, admin, admin ? [] : TokenDefinition.LegacyPermissions, null, now);

    /// <summary>Creates a token with these grants and expiry; returns its secret, which is shown once and never stored.</summary>
    public string CreateToken(string name, bool admin, IReadOnlyList<TokenPermission> permissions, DateTimeOffset? expiresAt, DateTimeOffset now) =>
        CreateTokenAsync(name, admin, permissions, expiresAt, now).GetAwaiter().GetResult();

    /// <summary>Creates a token and returns its secret, which is shown once and never stored.</summary>
    public Task<string> CreateTokenAsync(string name, bool admin, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        CreateTokenAsync(name, admin, admin ? [] : TokenDefinition.LegacyPermissions, null, now, cancellationToken);

    /// <summary>Creates a token with these grants and expiry; returns its secret. Throws <see cref="InvalidOperationException"/> when the name is taken.</summary>
    public async Task<string> CreateTokenAsync(string name, bool admin, IReadOnlyList<TokenPermission> permissions, DateTimeOffset? expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var secret = NewTokenSecret();
        await UpdateAsync(e =>
        {
            e.AddToken(new TokenDefinition(name, Hash(secret), admin, now) { Permissions = admin ? [] : permissions, ExpiresAt = expiresAt });
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return secret;
    }

    /// <summary>Revokes the token named <paramref name="name"/>; false when there is none.</summary>
    public bool DeleteToken(string name) => DeleteTokenAsync(name).GetAwaiter().GetResult();

    /// <summary>Revokes the token named <paramref name="name"/>; false when there is none.</summary>
    public Task<bool> DeleteTokenAsync(string name, CancellationToken cancellationToken = default) =>
        UpdateAsync(e => e.RemoveToken(name), cancellationToken);

    /// <summary>
    /// Gives the operator token (<see cref="TokenDefinition.OperatorName"/>) a new secret, or makes it if it is missing;
    /// the old secret stops working at once. Returns the new secret.
    /// </summary>
    public string RegenerateOperatorToken(DateTimeOffset now) => RegenerateOperatorTokenAsync(now).GetAwaiter().GetResult();

    /// <inheritdoc cref="RegenerateOperatorToken"/>
    public async Task<string> RegenerateOperatorTokenAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var secret = NewTokenSecret();
        await UpdateAsync(e =>
        {
            e.SetToken(new TokenDefinition(TokenDefinition.OperatorName, Hash(secret), IsAdmin: true, now));
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return secret;
    }

    /// <summary>The token whose secret is <paramref name="secret"/>, or null (expired or not).</summary>
    public TokenDefinition? Authenticate(string secret) => _current.FindTokenByHash(Hash(secret));

    /// <summary>"apiv3_" and 64 random bytes in URL-safe base64, the shape of InfluxDB 3's tokens.</summary>
    public static string NewTokenSecret()
    {
        Span<byte> random = stackalloc byte[64];
        RandomNumberGenerator.Fill(random);
        return "apiv3_" + Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
