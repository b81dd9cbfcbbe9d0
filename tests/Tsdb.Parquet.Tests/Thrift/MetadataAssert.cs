using System.Collections;
using System.Reflection;
using Tsdb.Parquet.Metadata;

namespace Tsdb.Parquet.Tests.Thrift;

/// <summary>
/// Structural comparison of metadata objects through their public properties, so that a field added to a metadata
/// class is compared (and must be set in the "every field" samples) without touching the tests.
/// </summary>
internal static class MetadataAssert
{
    public static void Equivalent(object? expected, object? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}");
        switch (expected)
        {
            case byte[] bytes:
                Assert.True(bytes.AsSpan().SequenceEqual((byte[])actual), $"{path}: bytes differ");
                return;
            case string or ValueType:
                Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
                return;
            case IList list:
                var other = (IList)actual;
                Assert.True(list.Count == other.Count, $"{path}: expected {list.Count} elements, got {other.Count}");
                for (var i = 0; i < list.Count; i++)
                {
                    Equivalent(list[i], other[i], $"{path}[{i}]");
                }
                return;
        }
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Equivalent(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
        }
    }

    /// <summary>
    /// Every optional (nullable) property is set and every list has elements, somewhere: in a list it is enough that
    /// one element has the field, so samples can mix full and minimal elements. A union's properties belong to one
    /// member at a time, so inside <see cref="LogicalType"/> only the presence of the value counts.
    /// </summary>
    public static void EveryFieldSet(object value) => EveryFieldSet([value], "$");

    private static void EveryFieldSet(List<object> values, string path)
    {
        var items = new List<object>();
        foreach (var value in values)
        {
            if (value is IList list and not byte[])
            {
                foreach (var element in list)
                {
                    items.Add(element!);
                }
            }
            else
            {
                items.Add(value);
            }
        }
        Assert.True(items.Count > 0, $"{path} has no elements");
        if (items[0] is byte[] or string or ValueType or LogicalType)
        {
            return;
        }
        foreach (var property in items[0].GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var set = new List<object>();
            foreach (var item in items)
            {
                if (property.GetValue(item) is { } child)
                {
                    set.Add(child);
                }
            }
            Assert.True(set.Count > 0, $"{path}.{property.Name} is not set");
            EveryFieldSet(set, $"{path}.{property.Name}");
        }
    }
}
