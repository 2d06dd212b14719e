using System.Net;
using System.Text.Json;
using KeysDashboard.Keys.Api;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Api;

/// <summary>GET /keys a page at a time: stable while keys come and go, with cursors that cannot be forged or kept forever.</summary>
public sealed class PagingTests : IAsyncLifetime
{
    private readonly ApiFactory api = new();
    private HttpClient client = default!;
    private string callerId = "";

    public async ValueTask InitializeAsync()
    {
        var caller = await api.CreateKeyAsync("caller");
        callerId = caller.Key.Id;
        client = api.Client(caller.Secret);
    }

    public ValueTask DisposeAsync() => api.DisposeAsync();

    private static (List<string> Ids, string? Next) Page(JsonElement json) =>
        ([.. json.GetProperty("result").EnumerateArray().Select(k => k.GetProperty("id").GetString()!)],
         json.GetProperty("links").TryGetProperty("next", out var next) ? next.GetString() : null);

    [Fact]
    public async Task Paging_250_keys_while_others_are_created_and_deleted_returns_each_survivor_exactly_once()
    {
        for (var i = 0; i < 249; i++)
        {
            await api.CreateKeyAsync($"key {i:D3}");
        }
        var atStart = (await api.WithDbAsync(db => Task.FromResult(db.ApiKeys.Select(k => k.Id).ToList()))).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(250, atStart.Count);

        var seen = new List<string>();
        var deleted = new HashSet<string>();
        var created = new HashSet<string>();
        string? next = "/api/v2/keys?limit=40";
        var pages = 0;
        while (next is not null)
        {
            var (ids, following) = Page(await (await client.GetAsync(next)).ReadAsync());
            seen.AddRange(ids);
            next = following;
            pages++;

            // Between pages: delete one key already seen and one not yet seen, and create two new ones.
            var seenVictim = ids.FirstOrDefault(id => id != callerId && !deleted.Contains(id));
            var unseenVictim = atStart.FirstOrDefault(id => !seen.Contains(id) && !deleted.Contains(id));
            foreach (var victim in new[] { seenVictim, unseenVictim }.OfType<string>())
            {
                await api.WithKeysAsync(k => k.DeleteAsync(victim, ApiFactory.Admin));
                deleted.Add(victim);
            }
            created.Add((await api.CreateKeyAsync($"new {pages}a")).Key.Id);
            created.Add((await api.CreateKeyAsync($"new {pages}b")).Key.Id);
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        var survivors = atStart.Where(id => !deleted.Contains(id)).ToList();
        Assert.Empty(survivors.Except(seen));
        Assert.Empty(seen.Except(atStart).Except(created));
        Assert.True(pages >= 7, $"expected several pages, got {pages}");
    }

    [Fact]
    public async Task The_default_page_is_25_and_the_last_page_has_no_next_link()
    {
        for (var i = 0; i < 29; i++)
        {
            await api.CreateKeyAsync($"key {i}");
        }

        var (first, next) = Page(await (await client.GetAsync("/api/v2/keys")).ReadAsync());
        Assert.Equal(25, first.Count);
        Assert.NotNull(next);
        Assert.StartsWith("http://localhost/api/v2/keys?limit=25&cursor=", next);

        var (second, after) = Page(await (await client.GetAsync(next)).ReadAsync());
        Assert.Equal(5, second.Count);
        Assert.Null(after);
        Assert.Empty(first.Intersect(second));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("2.5")]
    public async Task A_limit_outside_1_to_100_is_refused(string limit)
    {
        var response = await client.GetAsync($"/api/v2/keys?limit={limit}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["limit"], await response.ErrorFieldsAsync());
    }

    [Fact]
    public async Task Forged_altered_and_stale_cursors_are_refused()
    {
        for (var i = 0; i < 3; i++)
        {
            await api.CreateKeyAsync($"key {i}");
        }
        var (_, next) = Page(await (await client.GetAsync("/api/v2/keys?limit=1")).ReadAsync());
        var cursor = Uri.UnescapeDataString(new Uri(next!).Query.Split("cursor=")[1]);
        var altered = cursor[..10] + (cursor[10] == 'A' ? 'B' : 'A') + cursor[11..];
        var stale = api.Services.GetRequiredService<KeyCursor>().Create(callerId, DateTimeOffset.UtcNow.AddSeconds(-1));
        var plainId = callerId;

        foreach (var bad in new[] { "not-a-cursor", altered, stale, plainId })
        {
            var response = await client.GetAsync($"/api/v2/keys?cursor={Uri.EscapeDataString(bad)}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(["invalid_cursor"], await response.ErrorCodesAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(next)).StatusCode);
    }

    [Fact]
    public async Task Unknown_query_parameters_are_refused()
    {
        var response = await client.GetAsync("/api/v2/keys?limti=10");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["limti"], await response.ErrorFieldsAsync());
    }
}
