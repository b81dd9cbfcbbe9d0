namespace Tsdb.Catalog;

/// <summary>
/// The one decision of whether a token may do what an endpoint needs; HTTP and Flight both ask here and only turn
/// the answer into their own dialect (403 or PERMISSION_DENIED).
/// </summary>
public static class Permissions
{
    /// <summary>
    /// Null when <paramref name="token"/> may do <paramref name="access"/> on <paramref name="database"/>; otherwise why
    /// not. A null database on a database-scoped access asks whether the token has that action on any database.
    /// </summary>
    public static string? Denial(TokenDefinition token, Access access, string? database)
    {
        ArgumentNullException.ThrowIfNull(token);
        var actions = ActionsOf(access);
        switch (access)
        {
            case Access.Public or Access.Authenticated:
                return null;
            case Access.Admin:
                return token.IsAdmin ? null : $"this needs an admin token; token '{token.Name}' is not one";
        }
        if (database is null)
        {
            return token.AllowsAny(actions) ? null : $"token '{token.Name}' has no {Word(access)} permission on any database";
        }
        return token.Allows(actions, database) ? null : $"token '{token.Name}' may not {Word(access)} database '{database}'";
    }

    public static DatabaseActions ActionsOf(Access access) => access switch
    {
        Access.Read => DatabaseActions.Read,
        Access.Write => DatabaseActions.Write,
        Access.Delete => DatabaseActions.Delete,
        _ => DatabaseActions.None,
    };

    private static string Word(Access access) => access.ToString().ToLowerInvariant();
}
