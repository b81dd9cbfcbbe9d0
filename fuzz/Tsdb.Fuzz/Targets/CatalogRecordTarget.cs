using Tsdb.Catalog;
using Tsdb.Catalog.Log;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: a catalog log record (JSON) read at start-up through <c>CatalogRecords.Deserialize</c> and applied with
/// <c>CatalogRecords.ApplyAll</c> to an empty catalog one version behind it. Only <see cref="InvalidDataException"/>
/// may come out.
/// </summary>
internal sealed class CatalogRecordTarget : FuzzTarget
{
    public override string Name => "catalog-record";

    public override string Contract => "CatalogRecords.Deserialize and ApplyAll: only InvalidDataException";

    public override void Run(byte[] input)
    {
        var record = CatalogRecords.Deserialize(input, "fuzz");
        var start = new CatalogSnapshot(record.Version - 1, [], []);
        var snapshot = CatalogRecords.ApplyAll(start, [(record, "fuzz")]);
        _ = CatalogSerializer.Serialize(snapshot);
    }

    public override bool IsExpected(Exception exception) => exception is InvalidDataException;
}
