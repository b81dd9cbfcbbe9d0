namespace Tsdb.Catalog;

/// <summary>
/// An API token as stored: only the SHA-256 of the secret is kept. An admin token may do everything; any other token
/// only what its <see cref="Permissions"/> grant, until <see cref="ExpiresAt"/>.
/// </summary>
public sealed record TokenDefinition(string Name, string Sha256Hex, bool IsAdmin, DateTimeOffset CreatedAt)
{
    /// <summary>The name of the token the server makes on its first start, and that regeneration replaces.</summary>
    public const string OperatorName = "_admin";

    /// <summary>
    /// What tokens made before scoped tokens existed may do: they were for reading and writing data; they lose the
    /// database and table deletes they could once do.
    /// </summary>
    public static IReadOnlyList<TokenPermission> LegacyPermissions { get; } = [new(TokenPermission.AllDatabases, DatabaseActions.Read | DatabaseActions.Write)];

    public IReadOnlyList<TokenPermission> Permissions { get; init; } = [];

    /// <summary>When the token stops working; null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } at && now >= at;

    /// <summary>True when the token may do <paramref name="actions"/> (all of them) on <paramref name="database"/>.</summary>
    public bool Allows(DatabaseActions actions, string database)
    {
        if (IsAdmin)
        {
            return true;
        }
        var granted = DatabaseActions.None;
        foreach (var permission in Permissions)
        {
            if (permission.Covers(database))
            {
                granted |= permission.Actions;
            }
        }
        return (granted & actions) == actions;
    }

    /// <summary>True when the token may do <paramref name="actions"/> on at least one database.</summary>
    public bool AllowsAny(DatabaseActions actions) => IsAdmin || Permissions.Any(p => (p.Actions & actions) == actions);
}
