using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using KeysDashboard.Keys;
using KeysDashboard.Keys.Api;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Api;

/// <summary>GET /api/v2/keys: keyset pages in id order, followed through links.next, with a signed cursor.</summary>
public sealed class PagingTests
{
    [Theory]
    [InlineData(25)]
    [InlineData(40)]
    [InlineData(100)]
    public async Task Following_links_next_lists_every_key_once_while_keys_are_created_and_deleted_between_pages(int limit)
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        for (var i = 0; i < 250; i++)
        {
            await api.CreateKeyAsync($"Key {i:D3}");
        }
        var atStart = await KeyIdsAsync(api);
        Assert.Equal(251, atStart.Count);
        using var client = api.Client(caller.Secret);

        var seen = new List<string>();
        var deletedBeforeListed = new HashSet<string>();
        var deletedAfterListed = new HashSet<string>();
        var addedDuringPaging = new List<string>();
        var random = new Random(limit);
        var pages = 0;
        string? url = $"/api/v2/keys?limit={limit}";
        while (url is not null)
        {
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var (page, next) = await PageAsync(response);
            pages++;
            seen.AddRange(page);
            if (next is null)
            {
                Assert.InRange(page.Count, 0, limit);
                break;
            }
            Assert.Equal(limit, page.Count);
            Assert.StartsWith("http://localhost/api/v2/keys?", next);
            url = next;

            // Other clients at work between two pages: new keys, and deletions on both sides of the cursor.
            for (var i = 0; i < 3; i++)
            {
                addedDuringPaging.Add(await CreateAsync(client, $"Added after page {pages} #{i}"));
            }
            foreach (var id in seen.Except(deletedAfterListed).Where(id => id != caller.Key.Id).OrderBy(_ => random.Next()).Take(2).ToList())
            {
                await DeleteAsync(client, id);
                deletedAfterListed.Add(id);
            }
            var last = page[^1];
            foreach (var id in atStart.Where(id => string.CompareOrdinal(id, last) > 0).Except(deletedBeforeListed).OrderBy(_ => random.Next()).Take(2).ToList())
            {
                await DeleteAsync(client, id);
                deletedBeforeListed.Add(id);
            }
        }

        Assert.True(pages >= 3, $"only {pages} pages");
        Assert.Empty(seen.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.NotEmpty(deletedBeforeListed);
        Assert.Equal(atStart.Except(deletedBeforeListed), seen.Where(atStart.Contains));
        // Keys created while paging come after every existing id, so they are on a later page, once.
        Assert.Equal(addedDuringPaging, seen.Where(addedDuringPaging.Contains));
    }

    [Fact]
    public async Task Keys_made_within_the_same_millisecond_are_listed_oldest_first_in_the_order_they_were_made()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        // Made in a tight loop, most in the same millisecond, and saved together: only their ids say which came first.
        var made = Enumerable.Range(0, 60).Select(i => new ApiKey
        {
            Name = $"Key {i:00}",
            KeyHash = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            Prefix = "kd_",
            LastFour = "abcd",
            CreatedBy = "user-1",
            CreatedByName = "owner@example.com",
            UpdatedBy = "user-1",
            UpdatedByName = "owner@example.com",
        }).ToList();
        await api.WithDbAsync(db =>
        {
            db.ApiKeys.AddRange(made.AsEnumerable().Reverse());
            return db.SaveChangesAsync();
        });
        using var client = api.Client(caller.Secret);

        var names = new List<string>();
        for (var url = "/api/v2/keys?limit=7"; url is not null;)
        {
            var json = await (await client.GetAsync(url, TestContext.Current.CancellationToken)).ReadAsync();
            names.AddRange(json.GetProperty("result").EnumerateArray().Select(k => k.GetProperty("name").GetString()!));
            url = json.GetProperty("links").TryGetProperty("next", out var next) ? next.GetString() : null;
        }

        Assert.Equal(["Caller", .. made.Select(k => k.Name)], names);
    }

    [Fact]
    public async Task Without_a_limit_pages_hold_25_keys_and_the_last_page_has_no_next_link()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        for (var i = 0; i < 29; i++)
        {
            await api.CreateKeyAsync($"Key {i}");
        }
        using var client = api.Client(caller.Secret);

        using var first = await client.GetAsync("/api/v2/keys");
        var (firstPage, next) = await PageAsync(first);
        Assert.Equal(25, firstPage.Count);
        Assert.NotNull(next);
        Assert.Equal("25", QueryHelpers.ParseQuery(new Uri(next).Query)["limit"]);

        using var second = await client.GetAsync(next);
        var (secondPage, end) = await PageAsync(second);
        Assert.Equal(5, secondPage.Count);
        Assert.Null(end);
        Assert.Equal(await KeyIdsAsync(api), [.. firstPage, .. secondPage]);
    }

    [Fact]
    public async Task When_the_keys_end_exactly_at_a_page_boundary_that_page_has_no_next_link()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        for (var i = 0; i < 9; i++)
        {
            await api.CreateKeyAsync($"Key {i}");
        }
        using var client = api.Client(caller.Secret);

        using var first = await client.GetAsync("/api/v2/keys?limit=5");
        var (firstPage, next) = await PageAsync(first);
        using var second = await client.GetAsync(next);
        var (secondPage, end) = await PageAsync(second);

        Assert.Equal(5, firstPage.Count);
        Assert.Equal(5, secondPage.Count);
        Assert.Null(end);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public async Task Limits_from_1_to_100_are_accepted(int limit)
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        await api.CreateKeyAsync("Second");
        await api.CreateKeyAsync("Third");
        using var client = api.Client(caller.Secret);

        using var response = await client.GetAsync($"/api/v2/keys?limit={limit}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (page, next) = await PageAsync(response);
        Assert.Equal(Math.Min(limit, 3), page.Count);
        Assert.Equal(limit < 3, next is not null);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("2.5")]
    public async Task A_limit_that_is_not_a_whole_number_from_1_to_100_is_refused_naming_limit(string limit)
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        using var response = await client.GetAsync($"/api/v2/keys?limit={Uri.EscapeDataString(limit)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["invalid_limit"], await response.ErrorCodesAsync());
        Assert.Equal(["limit"], await response.ErrorFieldsAsync());
    }

    [Fact]
    public async Task A_cursor_the_server_did_not_issue_or_that_was_altered_is_refused()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        await api.CreateKeyAsync("Second");
        await api.CreateKeyAsync("Third");
        using var client = api.Client(caller.Secret);
        using var first = await client.GetAsync("/api/v2/keys?limit=1");
        var (_, next) = await PageAsync(first);
        var cursor = QueryHelpers.ParseQuery(new Uri(next!).Query)["cursor"].ToString();

        // The genuine cursor works, so any refusal below is down to the forgery.
        using var genuine = await client.GetAsync($"/api/v2/keys?limit=1&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);

        var middle = cursor.Length / 2;
        var altered = cursor[..middle] + (cursor[middle] == 'A' ? 'B' : 'A') + cursor[(middle + 1)..];
        string[] forgeries =
        [
            "abc",
            WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(96)),
            WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(caller.Key.Id)),
            altered,
        ];
        foreach (var forged in forgeries)
        {
            using var response = await client.GetAsync($"/api/v2/keys?limit=1&cursor={Uri.EscapeDataString(forged)}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(["invalid_cursor"], await response.ErrorCodesAsync());
            Assert.Equal(["cursor"], await response.ErrorFieldsAsync());
        }
    }

    [Fact]
    public async Task An_expired_cursor_is_refused()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        var second = await api.CreateKeyAsync("Second");
        using var client = api.Client(caller.Secret);
        var cursors = api.Services.GetRequiredService<KeyCursor>();

        var stale = cursors.Create(caller.Key.Id, DateTimeOffset.UtcNow.AddMinutes(-1));
        var fresh = cursors.Create(caller.Key.Id, DateTimeOffset.UtcNow.AddMinutes(10));

        using var refused = await client.GetAsync($"/api/v2/keys?cursor={Uri.EscapeDataString(stale)}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["invalid_cursor"], await refused.ErrorCodesAsync());
        Assert.Equal(["cursor"], await refused.ErrorFieldsAsync());

        // The same position, still valid, continues after the caller's key.
        using var accepted = await client.GetAsync($"/api/v2/keys?cursor={Uri.EscapeDataString(fresh)}");
        Assert.Equal([second.Key.Id], (await PageAsync(accepted)).Ids);
    }

    [Fact]
    public async Task An_unknown_query_parameter_is_refused_naming_it()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        using var response = await client.GetAsync("/api/v2/keys?limit=10&sort=name");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["unknown_parameter"], await response.ErrorCodesAsync());
        Assert.Equal(["sort"], await response.ErrorFieldsAsync());
    }

    private static async Task<(List<string> Ids, string? Next)> PageAsync(HttpResponseMessage response)
    {
        var json = await response.ReadAsync();
        Assert.True(json.GetProperty("success").GetBoolean(), json.ToString());
        var ids = json.GetProperty("result").EnumerateArray().Select(k => k.GetProperty("id").GetString()!).ToList();
        var links = json.GetProperty("links");
        Assert.Equal(JsonValueKind.Object, links.ValueKind);
        return (ids, links.TryGetProperty("next", out var next) ? next.GetString() : null);
    }

    private static async Task<string> CreateAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ResultAsync()).GetProperty("id").GetString()!;
    }

    private static async Task DeleteAsync(HttpClient client, string id)
    {
        using var response = await client.DeleteAsync($"/api/v2/keys/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<List<string>> KeyIdsAsync(ApiFactory api) =>
        api.WithDbAsync(db => db.ApiKeys.OrderBy(k => k.Id).Select(k => k.Id).ToListAsync());

    [Fact]
    public async Task Query_parameter_names_are_case_insensitive_like_the_rest_of_aspnet()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("caller");
        await api.CreateKeyAsync("second");

        var response = await api.Client(caller.Secret).GetAsync("/api/v2/keys?Limit=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single((await response.ResultAsync()).EnumerateArray());
    }
}
