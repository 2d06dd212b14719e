using KeysDashboard.Access;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Keys;

/// <summary>The dashboard grid's search, sort and paging, done in the database.</summary>
public sealed class KeyListTests : IAsyncLifetime
{
    private static readonly Actor Owner = Actor.Person("user-1", "owner@example.com", AccessTable.AdminRole, null);
    private static readonly Actor Support = Actor.Person("user-2", "support@example.com", AccessTable.AdminRole, null);
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
        app.WithServiceAsync<KeyListPage, KeyList>(list => list.QueryAsync(query, Owner));

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

    private static readonly DateTime Now = DateTime.UtcNow;

    private Task<int> SetTimes(string name, DateTime? lastUsed = null, DateTime? created = null, DateTime? expires = null)
    {
        var id = keys[name].Key.Id;
        return app.WithDbAsync(db => db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(k => k.LastUsedAt, k => lastUsed ?? k.LastUsedAt)
            .SetProperty(k => k.CreatedAt, k => created ?? k.CreatedAt)
            .SetProperty(k => k.ExpiresAt, k => expires ?? k.ExpiresAt)));
    }

    [Theory]
    [InlineData("Bearer {0}")]
    [InlineData("bearer   {0}")]
    [InlineData("Authorization: Bearer {0}")]
    [InlineData("authorization:bearer {0}")]
    [InlineData("X-API-Key: {0}")]
    [InlineData("x-api-key:{0}")]
    [InlineData("\"{0}\"")]
    [InlineData("'{0}',")]
    [InlineData("`{0}`;")]
    [InlineData("  \"Authorization: Bearer {0}\",\r\n")]
    [InlineData("Authorization: \"Bearer {0}\"")]
    [InlineData("\t{0}\u0000")]
    public async Task A_pasted_secret_with_its_header_quotes_or_punctuation_around_it_is_still_found(string pasted)
    {
        var leaked = keys["CI deploys"];

        Assert.Equal(["CI deploys"], await Names(new KeyListQuery(Search: string.Format(System.Globalization.CultureInfo.InvariantCulture, pasted, leaked.Secret))));
    }

    [Fact]
    public async Task A_pasted_name_in_quotes_finds_the_name()
    {
        Assert.Equal(["CI deploys"], await Names(new KeyListQuery(Search: "\"CI deploys\",")));
    }

    [Theory]
    [InlineData(KeyStatus.Enabled, new[] { "Zeta 50%_off", "alpha reporting" })]
    [InlineData(KeyStatus.Disabled, new[] { "Billing" })]
    [InlineData(KeyStatus.Expired, new[] { "CI deploys" })]
    public async Task The_status_filter_matches_what_the_status_column_shows(KeyStatus status, string[] expected)
    {
        await app.WithKeysAsync(k => k.SetEnabledAsync(keys["Billing"].Key.Id, false, Owner));
        await SetTimes("CI deploys", expires: Now.AddMinutes(-1));

        var page = await Query(new KeyListQuery(Status: status));

        Assert.Equal(expected, page.Items.Select(k => k.Name));
        Assert.Equal(expected.Length, page.TotalItems);
        Assert.All(page.Items, k => Assert.Equal(status, k.StatusAt(DateTime.UtcNow)));
    }

    [Fact]
    public async Task The_access_filter_separates_read_only_keys_from_read_write_keys()
    {
        await app.WithKeysAsync(k => k.UpdateAsync(keys["Billing"].Key.Id, new KeyChanges(ReadOnly: true), Owner));

        Assert.Equal(["Billing"], await Names(new KeyListQuery(ReadOnly: true)));
        Assert.Equal(["Zeta 50%_off", "CI deploys", "alpha reporting"], await Names(new KeyListQuery(ReadOnly: false)));
    }

    [Fact]
    public async Task Expiring_within_N_days_means_enabled_still_working_and_ending_inside_the_window()
    {
        await SetTimes("Billing", expires: Now.AddDays(3));
        await SetTimes("alpha reporting", expires: Now.AddDays(20));
        await SetTimes("CI deploys", expires: Now.AddDays(-1));
        await SetTimes("Zeta 50%_off", expires: Now.AddDays(5));
        await app.WithKeysAsync(k => k.SetEnabledAsync(keys["Zeta 50%_off"].Key.Id, false, Owner));

        Assert.Equal(["Billing"], await Names(new KeyListQuery(ExpiringWithinDays: 7)));
        Assert.Equal(["alpha reporting", "Billing"], await Names(new KeyListQuery(ExpiringWithinDays: 30)));
    }

    [Fact]
    public async Task Unused_filters_find_never_used_keys_and_keys_idle_for_N_days_including_old_never_used_ones()
    {
        await SetTimes("Billing", lastUsed: Now.AddDays(-1));
        await SetTimes("alpha reporting", lastUsed: Now.AddDays(-100));
        await SetTimes("CI deploys", created: Now.AddDays(-200));
        // Zeta: never used, created today: unused, but not idle for 90 days.

        Assert.Equal(["Zeta 50%_off", "CI deploys"], await Names(new KeyListQuery(Unused: UnusedFilter.Never)));
        Assert.Equal(["CI deploys", "alpha reporting"], await Names(new KeyListQuery(Unused: new UnusedFilter(90))));
        Assert.Equal(["CI deploys"], await Names(new KeyListQuery(Unused: new UnusedFilter(180))));
    }

    [Fact]
    public async Task Filters_combine_with_each_other_with_search_and_with_sort()
    {
        await SetTimes("Billing", expires: Now.AddDays(3));
        await SetTimes("alpha reporting", expires: Now.AddDays(4));
        await SetTimes("Zeta 50%_off", expires: Now.AddDays(5), lastUsed: Now.AddDays(-1));
        await app.WithKeysAsync(k => k.UpdateAsync(keys["Billing"].Key.Id, new KeyChanges(ReadOnly: true), Owner));

        var query = new KeyListQuery(Status: KeyStatus.Enabled, ReadOnly: false, ExpiringWithinDays: 7, SortBy: KeySort.Name, Descending: false);
        Assert.Equal(["alpha reporting", "Zeta 50%_off"], await Names(query));
        Assert.Equal(["alpha reporting"], await Names(query with { Unused = UnusedFilter.Never }));
        Assert.Equal(["Zeta 50%_off"], await Names(query with { Search = "zeta" }));
        Assert.Equal(1, (await Query(query with { Search = "zeta" })).TotalItems);
    }

    [Fact]
    public async Task Sorting_by_last_used_ascending_puts_never_used_keys_first_and_descending_last()
    {
        await SetTimes("Billing", lastUsed: Now.AddDays(-1));
        await SetTimes("alpha reporting", lastUsed: Now.AddDays(-10));

        var ascending = await Names(new KeyListQuery(SortBy: KeySort.LastUsed, Descending: false));
        var descending = await Names(new KeyListQuery(SortBy: KeySort.LastUsed, Descending: true));

        Assert.Equal(["CI deploys", "Zeta 50%_off", "alpha reporting", "Billing"], ascending);
        Assert.Equal(["Billing", "alpha reporting", "Zeta 50%_off", "CI deploys"], descending);
    }
}
