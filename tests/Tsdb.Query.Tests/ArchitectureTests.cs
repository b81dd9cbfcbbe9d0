using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

/// <summary>The engine knows no query language and no storage: front ends and storage depend on it, not the reverse.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void The_engine_references_only_core_and_arrow_among_the_projects()
    {
        var projects = typeof(QueryExecutor).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Tsdb.", StringComparison.Ordinal))
            .ToList();
        Assert.Contains("Tsdb.Arrow", projects);
        Assert.All(projects, n => Assert.True(n is "Tsdb.Arrow" or "Tsdb.Core", $"Tsdb.Query references {n}"));
    }

    [Fact]
    public void The_sql_front_end_plans_into_the_engine()
    {
        var projects = typeof(SqlEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Tsdb.Query", projects);
        Assert.DoesNotContain(projects, n => n.StartsWith("Tsdb.Storage", StringComparison.Ordinal) || n.StartsWith("Tsdb.Server", StringComparison.Ordinal));
    }
}
