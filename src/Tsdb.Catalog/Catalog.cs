using System.Security.Cryptography;
using System.Text;

namespace Tsdb.Catalog;

/// <summary>
/// The current catalog: lock-free reads of an immutable snapshot, serialised updates that are saved durably
/// before they become visible.
/// </summary>
public sealed class Catalog
{
    private readonly ICatalogStore _store;
    private readonly Lock _updateLock = new();
    private volatile CatalogSnapshot _current;

    public Catalog(ICatalogStore store, CatalogLimits? limits = null)
    {
        _store = store;
        Limits = limits ?? new CatalogLimits();
        _current = store.Load() ?? CatalogSnapshot.Empty;
    }

    public CatalogLimits Limits { get; }

    public CatalogSnapshot Current => _current;

    /// <summary>
    /// Runs <paramref name="edit"/> on a working copy under the update lock; if it changed anything, saves and
    /// publishes the new snapshot. Returns what the edit returned.
    /// </summary>
    public T Update<T>(Func<CatalogEditor, T> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        lock (_updateLock)
        {
            var editor = new CatalogEditor(_current, Limits);
            var result = edit(editor);
            if (editor.Changed)
            {
                var next = editor.Build();
                _store.Save(next);
                _current = next;
            }
            return result;
        }
    }

    /// <summary>Creates a token and returns its secret, which is shown once and never stored.</summary>
    public string CreateToken(string name, bool admin, DateTimeOffset now) =>
        CreateToken(name, admin, admin ? [] : TokenDefinition.LegacyPermissions, null, now);

    /// <summary>Creates a token with these grants and expiry; returns its secret, which is shown once and never stored.</summary>
    public string CreateToken(string name, bool admin, IReadOnlyList<TokenPermission> permissions, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        var secret = NewTokenSecret();
        Update(e =>
        {
            e.AddToken(new TokenDefinition(name, Hash(secret), admin, now) { Permissions = admin ? [] : permissions, ExpiresAt = expiresAt });
            return true;
        });
        return secret;
    }

    /// <summary>Revokes the token named <paramref name="name"/>; false when there is none.</summary>
    public bool DeleteToken(string name) => Update(e => e.RemoveToken(name));

    /// <summary>
    /// Gives the operator token (<see cref="TokenDefinition.OperatorName"/>) a new secret, or makes it if it is missing;
    /// the old secret stops working at once. Returns the new secret.
    /// </summary>
    public string RegenerateOperatorToken(DateTimeOffset now)
    {
        var secret = NewTokenSecret();
        Update(e =>
        {
            e.SetToken(new TokenDefinition(TokenDefinition.OperatorName, Hash(secret), IsAdmin: true, now));
            return true;
        });
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
