namespace Tsdb.LineProtocol;

/// <summary>The type of a field value, decided by its spelling in the line (suffix, quotes, boolean words).</summary>
public enum FieldKind : byte
{
    Float,
    Integer,
    UInteger,
    String,
    Boolean,
}
