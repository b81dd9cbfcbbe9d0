namespace Tsdb.Arrow.Types;

/// <summary>An ordered list of fields plus schema-level key/value metadata.</summary>
public sealed class Schema
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> NoMetadata = [];
    private readonly Field[] _fields;

    public Schema(IEnumerable<Field> fields, IReadOnlyList<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _fields = [.. fields];
        Metadata = metadata ?? NoMetadata;
    }

    public IReadOnlyList<Field> Fields => _fields;

    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; }

    public int FieldCount => _fields.Length;

    public Field this[int index] => _fields[index];

    /// <summary>The index of the first field named <paramref name="name"/>, or -1.</summary>
    public int GetFieldIndex(string name)
    {
        for (var i = 0; i < _fields.Length; i++)
        {
            if (string.Equals(_fields[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    public string? GetMetadata(string key) => MetadataLookup.Find(Metadata, key);

    /// <summary>Same field names, types, nullability and metadata, in the same order.</summary>
    public bool IsEquivalentTo(Schema other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._fields.Length != _fields.Length || !MetadataLookup.AreEqual(Metadata, other.Metadata))
        {
            return false;
        }
        for (var i = 0; i < _fields.Length; i++)
        {
            Field a = _fields[i], b = other._fields[i];
            if (a.Name != b.Name || a.Type != b.Type || a.IsNullable != b.IsNullable || !MetadataLookup.AreEqual(a.Metadata, b.Metadata))
            {
                return false;
            }
        }
        return true;
    }

    public override string ToString() => string.Join(", ", _fields.Select(f => f.ToString()));
}
