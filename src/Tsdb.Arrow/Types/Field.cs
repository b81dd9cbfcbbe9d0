namespace Tsdb.Arrow.Types;

/// <summary>A named, typed column of a schema, with optional key/value metadata (kept in order).</summary>
public sealed class Field
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> NoMetadata = [];

    public Field(string name, ArrowType type, bool nullable = true, IReadOnlyList<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(type);
        Name = name;
        Type = type;
        IsNullable = nullable;
        Metadata = metadata ?? NoMetadata;
    }

    public string Name { get; }

    public ArrowType Type { get; }

    public bool IsNullable { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; }

    /// <summary>The value stored under <paramref name="key"/>, or null.</summary>
    public string? GetMetadata(string key) => MetadataLookup.Find(Metadata, key);

    public Field WithMetadata(IReadOnlyList<KeyValuePair<string, string>> metadata) => new(Name, Type, IsNullable, metadata);

    public override string ToString() => $"{Name}: {Type}{(IsNullable ? "" : " not null")}";
}
