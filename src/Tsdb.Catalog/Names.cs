namespace Tsdb.Catalog;

/// <summary>Rules for database, table and column names. Each check returns null when the name is fine.</summary>
public static class Names
{
    public const int MaxDatabaseNameLength = 64;
    public const int MaxIdentifierBytes = 1024;

    /// <summary>
    /// Database names: 1–64 characters, ASCII letters, digits, '_' and '-', and at most one '/' (the v1 "db/rp"
    /// form), starting with a letter or digit. They become path segments in the object store, so nothing else.
    /// </summary>
    public static string? ValidateDatabaseName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "invalid database name: the name is empty";
        }
        if (name.Length > MaxDatabaseNameLength)
        {
            return $"invalid database name '{Shorten(name)}': longer than {MaxDatabaseNameLength} characters";
        }
        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            return $"invalid database name '{name}': it must start with a letter or digit";
        }
        var slashes = 0;
        foreach (var c in name)
        {
            if (c == '/')
            {
                slashes++;
                continue;
            }
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return $"invalid database name '{name}': '{c}' is not allowed (letters, digits, '_', '-' and one '/')";
            }
        }
        if (slashes > 1 || name.EndsWith('/'))
        {
            return $"invalid database name '{name}': at most one '/', between a database and a retention policy name";
        }
        return null;
    }

    public static string? ValidateTableName(string name) => ValidateIdentifier("table", name);

    public static string? ValidateColumnName(string name) => ValidateIdentifier("column", name);

    private static string? ValidateIdentifier(string what, string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return $"invalid {what} name: the name is empty";
        }
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxIdentifierBytes)
        {
            return $"invalid {what} name '{Shorten(name)}': longer than {MaxIdentifierBytes} bytes";
        }
        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                return $"invalid {what} name '{Shorten(name)}': it contains a control character";
            }
        }
        return null;
    }

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
