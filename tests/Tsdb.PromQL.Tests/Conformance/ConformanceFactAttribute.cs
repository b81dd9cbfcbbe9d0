namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>A fact that is skipped, naming the missing folder, when the conformance data is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ConformanceFactAttribute : FactAttribute
{
    public ConformanceFactAttribute()
    {
        if (!ConformanceData.Present)
        {
            Skip = ConformanceData.MissingMessage;
        }
    }
}
