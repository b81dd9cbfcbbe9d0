using System.Runtime.CompilerServices;

namespace Tsdb.Parquet.Thrift;

/// <summary>
/// The last field id of each enclosing struct, kept inline in the reader so that reading metadata allocates nothing
/// for nesting. One slot per nesting level, so its length is the reader's depth limit.
/// </summary>
[InlineArray(ThriftCompactReader.MaxDepth)]
internal struct ThriftFieldIdStack
{
    private short _element0;
}
