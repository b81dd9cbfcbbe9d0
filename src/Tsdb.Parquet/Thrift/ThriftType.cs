namespace Tsdb.Parquet.Thrift;

/// <summary>
/// Thrift compact-protocol type codes, as they appear in field headers and collection headers. The values are the
/// wire codes, with one exception: a bool field header carries 1 (true) or 2 (false), and both read back as
/// <see cref="Bool"/> with the value in <see cref="ThriftFieldHeader.BoolValue"/>.
/// </summary>
internal enum ThriftType : byte
{
    /// <summary>End of a struct (field headers only).</summary>
    Stop = 0,

    /// <summary>
    /// Bool. As a collection element type the spec says 2 but Thrift's own Java, C++ and Rust libraries write 1, and
    /// older Rust readers (arrow-rs before its own Thrift code) refuse 2; readers here accept both, writers write 1.
    /// </summary>
    Bool = 1,
    I8 = 3,
    I16 = 4,
    I32 = 5,
    I64 = 6,
    Double = 7,
    Binary = 8,
    List = 9,
    Set = 10,
    Map = 11,
    Struct = 12,
    Uuid = 13,
}
