using System.Reflection;
using Xunit.Sdk;

namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>
/// Theory rows for the conformance cases: either those expected to pass, or those in skip-list.txt (reported as
/// skipped, reason in the row). When the data folder is missing every row is skipped with a message naming it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ConformanceCasesAttribute : DataAttribute
{
    public ConformanceCasesAttribute(bool listed)
    {
        Listed = listed;
        if (!ConformanceData.Present)
        {
            Skip = ConformanceData.MissingMessage;
        }
        else if (listed)
        {
            Skip = "listed in tests/Tsdb.PromQL.Tests/Conformance/skip-list.txt; the reason is the row's second argument";
        }
    }

    public bool Listed { get; }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        if (!ConformanceData.Present)
        {
            return Listed ? [["(missing)", ConformanceData.MissingMessage]] : [["(missing)"]];
        }
        var rows = new List<object[]>();
        foreach (var id in ConformanceData.CaseIds())
        {
            var reason = SkipList.Reason(id);
            if (Listed && reason is not null)
            {
                rows.Add([id, reason]);
            }
            else if (!Listed && reason is null)
            {
                rows.Add([id]);
            }
        }
        if (Listed && rows.Count == 0)
        {
            // A theory without rows fails; an empty skip list is reported as one skipped row saying so.
            rows.Add(["(none)", "the skip list is empty: every case passes"]);
        }
        return rows;
    }
}
