using Tsdb.ObjectStore;
using static Tsdb.Catalog.Tests.CatalogFixtures;

namespace Tsdb.Catalog.Tests;

/// <summary>Two catalogs on one store, as two processes on one object store: no update is lost, none applies twice.</summary>
public sealed class ConcurrentWriterTests
{
    public static TheoryData<string> Stores => ["object store", "in memory"];

    private static Func<ICatalogStore> Factory(string kind)
    {
        if (kind == "in memory")
        {
            var shared = new InMemoryCatalogStore();
            return () => shared;
        }
        var store = new InMemoryObjectStore();
        return () => new ObjectStoreCatalogStore(store, new CatalogLogOptions { CheckpointInterval = 4 });
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_stale_writer_catches_up_and_both_changes_survive(string kind)
    {
        var open = Factory(kind);
        var a = await Catalog.CreateAsync(open());
        var b = await Catalog.CreateAsync(open());
        await a.UpdateAsync(e => e.EnsureDatabase("from_a", out _));
        // b still holds version 0; its version 1 is taken, so it reads a's and runs its edit again on top.
        var runs = 0;
        await b.UpdateAsync(e => { runs++; return e.EnsureDatabase("from_b", out _); });
        Assert.Equal(2, runs);
        Assert.Equal(2, b.Current.Version);
        Assert.Equal(["from_a", "from_b"], b.Current.Databases.Select(d => d.Name).Order(StringComparer.Ordinal));

        var reloaded = (await open().LoadAsync())!;
        Assert.Equal(Canonical(b.Current), Canonical(reloaded));
        await a.RefreshAsync();
        Assert.Equal(Canonical(b.Current), Canonical(a.Current));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task An_edit_no_longer_valid_on_the_fresh_catalog_fails_as_it_would_there(string kind)
    {
        var open = Factory(kind);
        var a = await Catalog.CreateAsync(open());
        var b = await Catalog.CreateAsync(open());
        await a.CreateTokenAsync("ci", admin: false, Now);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => b.CreateTokenAsync("ci", admin: true, Now));
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.False(b.Current.Tokens.Single().IsAdmin); // b now shows a's token
        Assert.Equal(1, (await open().LoadAsync())!.Version);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Two_writers_racing_lose_no_update(string kind)
    {
        var open = Factory(kind);
        var a = await Catalog.CreateAsync(open());
        var b = await Catalog.CreateAsync(open());
        const int each = 25;
        async Task Run(Catalog catalog, string table)
        {
            for (var i = 0; i < each; i++)
            {
                await PersistAsync(catalog, "db", table, i);
                await Task.Yield();
            }
        }
        await Task.WhenAll(Task.Run(() => Run(a, "a")), Task.Run(() => Run(b, "b")));
        var reloaded = (await open().LoadAsync())!;
        Assert.Equal(2 * each, reloaded.Version);
        Assert.Equal(2 * each, reloaded.Files.Count);
        Assert.Equal(2 * each, reloaded.Files.Select(f => f.Id).Distinct().Count()); // file ids are never handed out twice
        Assert.Equal(each, reloaded.Files.Count(f => f.Table == "a"));
        Assert.Equal(2 * each + 1, reloaded.NextFileId);
    }

    [Fact]
    public async Task A_writer_far_behind_catches_up_past_cleaned_up_records()
    {
        var time = new ManualTime(Now);
        var store = new InMemoryObjectStore(time);
        var options = new CatalogLogOptions { CheckpointInterval = 2, KeepCheckpoints = 1, RecordRetention = TimeSpan.FromHours(1) };
        var behind = await Catalog.CreateAsync(new ObjectStoreCatalogStore(store, options, time));
        var aheadStore = new ObjectStoreCatalogStore(store, options, time);
        var ahead = await Catalog.CreateAsync(aheadStore);
        for (var i = 0; i < 9; i++)
        {
            // One persist every ten minutes: by the end, the first records are old enough for cleanup.
            time.Now += TimeSpan.FromMinutes(10);
            await PersistAsync(ahead, "db", "t", i + 1);
            await aheadStore.FlushAsync();
        }
        Assert.DoesNotContain(ObjectStoreCatalogStore.LogKey(2), await KeysAsync(store)); // cleaned up behind checkpoint 8
        await PersistAsync(behind, "db", "t", 100);
        Assert.Equal(10, behind.Current.Version);
        Assert.Equal(10, behind.Current.Files.Count);
    }

    [Fact]
    public async Task An_update_gives_up_after_a_bounded_number_of_lost_races()
    {
        var catalog = await Catalog.CreateAsync(new AlwaysTakenStore());
        var runs = 0;
        await Assert.ThrowsAsync<CatalogConflictException>(() => catalog.UpdateAsync(e => { runs++; return e.EnsureDatabase("db", out _); }));
        Assert.Equal(Catalog.MaxAttempts, runs);
        Assert.Empty(catalog.Current.Databases);
    }

    /// <summary>A store where another writer always publishes the next version first.</summary>
    private sealed class AlwaysTakenStore : ICatalogStore
    {
        private long _version;

        public Task<CatalogSnapshot?> LoadAsync(CancellationToken cancellationToken = default) => Task.FromResult<CatalogSnapshot?>(null);

        public Task<bool> AppendAsync(CatalogSnapshot previous, CatalogSnapshot next, CancellationToken cancellationToken = default) => Task.FromResult(false);

        public Task<CatalogSnapshot> CatchUpAsync(CatalogSnapshot current, CancellationToken cancellationToken = default) =>
            Task.FromResult(new CatalogSnapshot(++_version, current.Databases, current.Tokens));
    }
}
