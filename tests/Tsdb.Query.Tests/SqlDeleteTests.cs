using Tsdb.Core.Deletes;
using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

/// <summary>SQL's DELETE: parsed and printed back, planned into a delete predicate, refused with positions where it cannot say exactly which rows go.</summary>
public sealed class SqlDeleteTests
{
    private readonly MemoryTableSource _source = new();
    private readonly SqlEngine _engine;

    public SqlDeleteTests()
    {
        _source.Add("cpu", MemoryTableSource.CpuSchema, MemoryTableSource.Cpu(("a", 1, 1.0, 1)));
        _engine = new SqlEngine(new QueryExecutor(_source, TimeProvider.System));
    }

    private sealed class Recorder : IRowDeleter
    {
        public List<(string Database, string Table, DeletePredicate Predicate)> Deletes { get; } = [];

        public ValueTask DeleteAsync(string database, string table, DeletePredicate predicate, CancellationToken cancellationToken)
        {
            Deletes.Add((database, table, predicate));
            return ValueTask.CompletedTask;
        }

        public ValueTask<int> DeleteEverywhereAsync(string database, DeletePredicate predicate, CancellationToken cancellationToken) =>
            throw new NotSupportedException("SQL's DELETE names its table");
    }

    private async Task<DeletePredicate> Plan(string sql)
    {
        var recorder = new Recorder();
        await _engine.DeleteAsync("db", sql, recorder, CancellationToken.None);
        var (database, table, predicate) = Assert.Single(recorder.Deletes);
        Assert.Equal(("db", "cpu"), (database, table));
        return predicate;
    }

    [Theory]
    [InlineData("DELETE FROM cpu")]
    [InlineData("DELETE FROM cpu WHERE host = 'a' AND time < '2024-01-01T00:00:00Z'")]
    [InlineData("DELETE FROM \"Cpu Table\" WHERE usage >= 1.5 AND NOT n = 3")]
    public void A_delete_prints_back_as_it_parses(string sql)
    {
        var printed = SqlPrinter.Print(SqlParser.Parse(sql));
        Assert.Equal(printed, SqlPrinter.Print(SqlParser.Parse(printed)));
        Assert.IsType<DeleteStatement>(SqlParser.Parse(sql));
    }

    [Fact]
    public async Task Time_comparisons_bound_the_range_and_the_rest_become_terms()
    {
        var p = await Plan("DELETE FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < 1704153600000000000 AND host = 'a' AND 2.5 < usage AND n != -3");
        Assert.Equal(1_704_067_200_000_000_000, p.FromTime);
        Assert.Equal(1_704_153_600_000_000_000 - 1, p.ToTime);
        Assert.Equal(["host = 'a'", "usage > 2.5", "n != -3"], p.Terms.Select(t => t.ToString()));
    }

    [Fact]
    public async Task Between_bounds_time_inclusively_and_no_where_deletes_everything()
    {
        var p = await Plan("DELETE FROM cpu WHERE time BETWEEN 10 AND 20");
        Assert.Equal((10L, 20L), (p.FromTime, p.ToTime));
        var all = await Plan("DELETE FROM cpu");
        Assert.Equal((null, null, 0), (all.FromTime, all.ToTime, all.Terms.Count));
    }

    [Theory]
    [InlineData("DELETE FROM cpu WHERE host = 'a' OR host = 'b'", "line 1, column 23: DELETE supports only comparisons")]
    [InlineData("DELETE FROM cpu WHERE host = 1", "line 1, column 30: column 'host' is a tag: compare it with a string")]
    [InlineData("DELETE FROM cpu WHERE usage = 'x'", "line 1, column 31: column 'usage' is a numeric field: compare it with a number")]
    [InlineData("DELETE FROM cpu WHERE nope = 1", "line 1, column 23: column 'nope' not found")]
    [InlineData("DELETE FROM cpu WHERE time != 5", "line 1, column 23: time != … cannot bound a delete")]
    [InlineData("DELETE FROM cpu WHERE time < 'yesterday'", "line 1, column 30: time is compared with a timestamp string")]
    [InlineData("DELETE FROM cpu WHERE abs(usage) > 1", "line 1, column 23: a DELETE condition compares a column with a literal")]
    public async Task What_a_delete_cannot_say_exactly_is_refused_at_its_position(string sql, string message)
    {
        var error = await Assert.ThrowsAsync<QueryException>(() => _engine.DeleteAsync("db", sql, new Recorder(), CancellationToken.None));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delete_of_an_unknown_table_says_so_and_a_query_path_refuses_delete()
    {
        var error = await Assert.ThrowsAsync<QueryException>(() => _engine.DeleteAsync("db", "DELETE FROM nope", new Recorder(), CancellationToken.None));
        Assert.Contains("table 'nope' not found in database 'db'", error.Message, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<QueryException>(() => _engine.ExecuteAsync("db", "DELETE FROM cpu", CancellationToken.None));
        Assert.Contains("/api/v3/query_sql", refused.Message, StringComparison.Ordinal);
        Assert.True(SqlEngine.IsDelete("delete from cpu where host = 'a'"));
        Assert.False(SqlEngine.IsDelete("SELECT 1"));
    }
}
