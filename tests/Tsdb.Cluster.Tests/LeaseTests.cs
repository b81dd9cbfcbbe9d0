using Tsdb.Core.Cluster;
using Tsdb.ObjectStore;

namespace Tsdb.Cluster.Tests;

internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>The compactor's lease: one holder at a time, renewals, take-over after expiry, hand-over on release.</summary>
public sealed class LeaseTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);
    private readonly InMemoryObjectStore _store = new();
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    private ObjectStoreLease Lease(string holder) => new(_store, "compactor", holder, Duration, _time);

    [Fact]
    public async Task Of_two_nodes_one_holds_the_lease_and_keeps_it_by_renewing()
    {
        var a = Lease("a");
        var b = Lease("b");
        Assert.True(await a.TryAcquireAsync(default));
        Assert.False(await b.TryAcquireAsync(default));
        Assert.True(a.IsHeld);
        Assert.False(b.IsHeld);
        for (var i = 0; i < 10; i++)
        {
            _time.Now += Duration / 3;
            Assert.True(await a.TryAcquireAsync(default));
            Assert.False(await b.TryAcquireAsync(default));
        }
        Assert.Equal("a", (await b.CurrentAsync(default))!.Value.Holder);
        // Old grants are cleaned up as the lease is renewed.
        Assert.True((await _store.ListAsync("cluster/leases/compactor/").ToListAsync()).Count <= 3);
    }

    [Fact]
    public async Task A_holder_that_stops_renewing_stops_acting_before_another_takes_over()
    {
        var a = Lease("a");
        var b = Lease("b");
        Assert.True(await a.TryAcquireAsync(default));
        _time.Now += Duration - TimeSpan.FromSeconds(2);
        Assert.False(a.IsHeld); // within the safety margin of its own expiry: it stops first
        Assert.False(await b.TryAcquireAsync(default)); // not expired yet for the others
        _time.Now += TimeSpan.FromSeconds(3);
        Assert.True(await b.TryAcquireAsync(default));
        Assert.True(b.IsHeld);
        Assert.False(await a.TryAcquireAsync(default)); // the old holder learns it lost
        Assert.False(a.IsHeld);
    }

    [Fact]
    public async Task Released_lease_is_taken_at_once_and_racing_takers_get_it_once()
    {
        var a = Lease("a");
        Assert.True(await a.TryAcquireAsync(default));
        await a.ReleaseAsync(default);
        Assert.False(a.IsHeld);
        var takers = Enumerable.Range(0, 8).Select(i => Lease($"n{i}")).ToList();
        var won = await Task.WhenAll(takers.Select(t => t.TryAcquireAsync(default)));
        Assert.Single(won, w => w);
    }

    [Fact]
    public async Task The_registry_lists_live_nodes_and_forgets_deregistered_ones()
    {
        var registry = new NodeRegistry(_store, _time);
        var ingest = new ClusterOptions("i1", NodeRoles.Ingest, new Uri("http://10.0.0.1:8181"));
        var query = new ClusterOptions("q1", NodeRoles.Query | NodeRoles.Compact, new Uri("http://10.0.0.2:8181"));
        await registry.RegisterAsync(ingest, _time.Now, default);
        await registry.RegisterAsync(query, _time.Now, default);
        var live = await registry.LiveAsync(TimeSpan.FromSeconds(15), default);
        Assert.Equal(["i1", "q1"], live.Select(n => n.NodeId));
        Assert.Equal(NodeRoles.Query | NodeRoles.Compact, live[1].Roles);
        Assert.Equal("http://10.0.0.1:8181", live[0].AdvertiseUrl);

        _time.Now += TimeSpan.FromSeconds(20);
        await registry.RegisterAsync(query, _time.Now, default); // q1 beats, i1 went quiet
        Assert.Equal(["q1"], (await registry.LiveAsync(TimeSpan.FromSeconds(15), default)).Select(n => n.NodeId));
        await registry.DeregisterAsync("q1", default);
        Assert.Empty(await registry.ListAsync(default).ContinueWith(t => t.Result.Where(n => n.NodeId == "q1").ToList(), TaskScheduler.Default));
    }

    [Theory]
    [InlineData("all", NodeRoles.All)]
    [InlineData("ingest", NodeRoles.Ingest)]
    [InlineData("query,compact", NodeRoles.Query | NodeRoles.Compact)]
    [InlineData(" Ingest , query ", NodeRoles.Ingest | NodeRoles.Query)]
    public void Modes_parse_as_enterprise_spells_them(string text, NodeRoles expected)
    {
        Assert.Equal(expected, NodeRoleNames.Parse(text));
        Assert.Equal(expected, NodeRoleNames.Parse(NodeRoleNames.Format(expected)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("router")]
    public void Unknown_modes_are_refused_by_name(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => NodeRoleNames.Parse(text));
        Assert.Contains("--mode", error.Message, StringComparison.Ordinal);
    }
}
