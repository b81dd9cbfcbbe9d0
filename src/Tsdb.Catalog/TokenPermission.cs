namespace Tsdb.Catalog;

/// <summary>
/// One grant of a token: <paramref name="Actions"/> on <paramref name="Database"/>, or on every database when it is
/// <c>*</c>. Written as InfluxDB 3 Enterprise writes permissions: <c>db:NAME[,NAME…]:read[,write,delete]</c>.
/// </summary>
public sealed record TokenPermission(string Database, DatabaseActions Actions)
{
    public const string AllDatabases = "*";

    public bool Covers(string database) => Database == AllDatabases || Database == database;

    /// <summary>
    /// Parses <c>db:NAME[,NAME…]:ACTION[,ACTION…]</c> (one grant per name); false with a message naming the problem.
    /// </summary>
    public static bool TryParse(string text, out IReadOnlyList<TokenPermission> permissions, out string error)
    {
        permissions = [];
        error = "";
        var parts = (text ?? "").Split(':');
        if (parts.Length != 3 || parts[0] != "db")
        {
            error = $"invalid permission '{text}': use db:NAME:ACTIONS, e.g. db:mydb:read,write or db:*:read (actions: read, write, delete)";
            return false;
        }
        var names = parts[1].Split(',', StringSplitOptions.TrimEntries);
        if (names.Any(n => n.Length == 0))
        {
            error = $"invalid permission '{text}': a database name is empty (use * for every database)";
            return false;
        }
        if (!TryParseActions(parts[2].Split(',', StringSplitOptions.TrimEntries), out var actions, out error))
        {
            error = $"invalid permission '{text}': {error}";
            return false;
        }
        permissions = [.. names.Select(n => new TokenPermission(n, actions))];
        return true;
    }

    public static bool TryParseActions(IEnumerable<string> words, out DatabaseActions actions, out string error)
    {
        actions = DatabaseActions.None;
        error = "";
        foreach (var word in words)
        {
            var action = word.ToLowerInvariant() switch
            {
                "read" => DatabaseActions.Read,
                "write" => DatabaseActions.Write,
                "delete" => DatabaseActions.Delete,
                _ => DatabaseActions.None,
            };
            if (action == DatabaseActions.None)
            {
                error = $"unknown action '{word}' (use read, write or delete)";
                return false;
            }
            actions |= action;
        }
        if (actions == DatabaseActions.None)
        {
            error = "no action given (use read, write or delete)";
            return false;
        }
        return true;
    }

    /// <summary>The action names, lower case, in the order read, write, delete.</summary>
    public static IReadOnlyList<string> ActionNames(DatabaseActions actions)
    {
        var names = new List<string>(3);
        if (actions.HasFlag(DatabaseActions.Read))
        {
            names.Add("read");
        }
        if (actions.HasFlag(DatabaseActions.Write))
        {
            names.Add("write");
        }
        if (actions.HasFlag(DatabaseActions.Delete))
        {
            names.Add("delete");
        }
        return names;
    }

    public override string ToString() => $"db:{Database}:{string.Join(',', ActionNames(Actions))}";
}
