using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;

namespace Tsdb.Arrow.Tests;

public sealed class ColumnTypesTests
{
    /// <summary>Every kind has a stored type, and the type leads back to the kind: the map is complete and one-to-one.</summary>
    [Fact]
    public void Every_column_kind_maps_to_a_type_that_maps_back()
    {
        var kinds = Enum.GetValues<ColumnKind>();
        Assert.Equal(7, kinds.Length);
        foreach (var kind in kinds)
        {
            var type = ColumnTypes.Of(kind);
            Assert.Equal(kind, ColumnTypes.KindOf(type));
            var field = ColumnTypes.Field("c", kind);
            Assert.Equal(type, field.Type);
            Assert.Equal(kind, ColumnKindNames.FromIoxType(field.GetMetadata(ColumnKindNames.IoxMetadataKey)));
        }
        Assert.Equal(kinds.Length, kinds.Select(k => ColumnTypes.Of(k).Id).Distinct().Count());
    }

    [Fact]
    public void Types_storage_never_makes_have_no_kind_and_narrow_ones_widen()
    {
        Assert.Null(ColumnTypes.KindOf(ArrowType.Binary));
        Assert.Null(ColumnTypes.KindOf(ArrowType.Int32));
        Assert.Equal(ColumnKind.Time, ColumnTypes.KindOf(ArrowType.Timestamp(TimeUnit.Millisecond, "UTC")));
        Assert.Equal(ArrowTypeId.Int64, ColumnTypes.Widened(ArrowTypeId.Int8));
        Assert.Equal(ArrowTypeId.UInt64, ColumnTypes.Widened(ArrowTypeId.UInt32));
        Assert.Equal(ArrowTypeId.Float64, ColumnTypes.Widened(ArrowTypeId.Float32));
        Assert.Equal(ArrowTypeId.Utf8, ColumnTypes.Widened(ArrowTypeId.LargeUtf8));
        Assert.Equal(ArrowTypeId.Binary, ColumnTypes.Widened(ArrowTypeId.Binary));
    }

    [Fact]
    public void A_value_outside_the_enum_has_no_type()
    {
        Assert.Throws<System.Runtime.CompilerServices.SwitchExpressionException>(() => ColumnTypes.Of((ColumnKind)200));
    }
}
