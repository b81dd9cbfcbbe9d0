namespace Tsdb.Flight.Arrow;

/// <summary>The types <see cref="NestedColumn"/> can carry: the flat ones Flight SQL metadata needs, plus list, struct, map and dense union.</summary>
internal enum NestedType
{
    Utf8,
    Int32,
    Int64,
    UInt8,
    UInt32,
    Boolean,
    List,
    Struct,
    Map,
    DenseUnion,
}
