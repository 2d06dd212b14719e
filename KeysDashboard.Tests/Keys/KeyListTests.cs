using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Keys;

/// <summary>The dashboard grid's search, sort and paging, done in the database.</summary>
public sealed class KeyListTests : IAsyncLifetime
{
    private static readonly Actor Owner = new("user-1", "owner@example.com", null);
    private static readonly Actor Support = new("user-2", "support@example.com", null);
    private readonly AppFactory app = new();
    private readonly Dictionary<string, IssuedKey> keys = [];

    public async ValueTask InitializeAsync()
    {
        foreach (var (name, actor) in new[] { ("Billing", Owner), ("alpha reporting", Owner), ("CI deploys", Support), ("Zeta 50%_off", Owner) })
        {
            keys[name] = await app.WithKeysAsync(k => k.CreateAsync(new KeyDraft(name, false, [], null), actor));
        }
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private Task<KeyListPage> Query(KeyListQuery query) =>
        app.WithServiceAsync<KeyListPage, KeyList>(list => list.QueryAsync(query));

    private async Task<string[]> Names(KeyListQuery query) => [.. (await Query(query)).Items.Select(k => k.Name)];

    [Fact]
    public async Task Newest_first_by_default()
    {
        Assert.Equal(["Zeta 50%_off", "CI deploys", "alpha reporting", "Billing"], await Names(new KeyListQuery()));
    }

    [Fact]
    public async Task Search_matches_part_of_a_name_ignoring_case()
    {
        Assert.Equal(["alpha reporting"], await Names(new KeyListQuery(Search: "REPORT")));
    }

    [Fact]
    public async Task Search_treats_percent_and_underscore_literally()
    {
        Assert.Equal(["Zeta 50%_off"], await Names(new KeyListQuery(Search: "%_")));
        Assert.Empty(await Names(new KeyListQuery(Search: "a_p")));
    }

    [Fact]
    public async Task Search_finds_a_key_by_its_last_four_its_masked_form_its_id_or_its_creator()
    {
        var billing = keys["Billing"];

        Assert.Contains("Billing", await Names(new KeyListQuery(Search: billing.Key.LastFour)));
        Assert.Equal(["Billing"], await Names(new KeyListQuery(Search: billing.Key.Masked)));
        Assert.Equal(["Billing"], await Names(new KeyListQuery(Search: billing.Key.Id)));
        Assert.Equal(["CI deploys"], await Names(new KeyListQuery(Search: "support@")));
    }

    [Fact]
    public async Task Support_finds_a_leaked_key_by_pasting_the_whole_secret_even_after_a_graceful_regenerate()
    {
        var leaked = keys["CI deploys"];

        Assert.Equal(["CI deploys"], await Names(new KeyListQuery(Search: leaked.Secret)));

        await app.WithKeysAsync(k => k.RegenerateAsync(leaked.Key.Id, TimeSpan.FromHours(1), Owner));
        Assert.Equal(["CI deploys"], await Names(new KeyListQuery(Search: leaked.Secret)));
        Assert.Empty(await Names(new KeyListQuery(Search: KeySecret.Generate("kd_"))));
    }

    [Fact]
    public async Task Sorts_by_name_either_way_ignoring_case()
    {
        Assert.Equal(["alpha reporting", "Billing", "CI deploys", "Zeta 50%_off"], await Names(new KeyListQuery(SortBy: KeySort.Name, Descending: false)));
        var ascending = await Names(new KeyListQuery(SortBy: KeySort.Name, Descending: false));
        var descending = await Names(new KeyListQuery(SortBy: KeySort.Name, Descending: true));
        Assert.Equal(ascending.Reverse(), descending);
    }

    [Fact]
    public async Task Sorting_by_status_puts_disabled_keys_together()
    {
        await app.WithKeysAsync(k => k.SetEnabledAsync(keys["Billing"].Key.Id, false, Owner));

        var names = await Names(new KeyListQuery(SortBy: KeySort.Status, Descending: true));

        Assert.Equal("Billing", names[0]);
    }

    [Fact]
    public async Task Pages_split_the_results_and_report_the_total()
    {
        var first = await Query(new KeyListQuery(Page: 0, PageSize: 3));
        var second = await Query(new KeyListQuery(Page: 1, PageSize: 3));

        Assert.Equal(4, first.TotalItems);
        Assert.Equal(3, first.Items.Count);
        Assert.Single(second.Items);
        Assert.Empty(first.Items.Select(k => k.Id).Intersect(second.Items.Select(k => k.Id)));
    }
}
