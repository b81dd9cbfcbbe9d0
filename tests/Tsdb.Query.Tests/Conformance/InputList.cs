using System.Collections;
using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>A <see cref="TestInput"/> as a list (what ValuesExec holds), read lazily so it can be endless or fail.</summary>
internal sealed class InputList(TestInput input) : IReadOnlyList<RecordBatch>
{
    public int Count => input.Count;

    public RecordBatch this[int index] => input.At(index);

    public IEnumerator<RecordBatch> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return input.At(i);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
