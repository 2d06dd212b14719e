using System.Net;
using System.Net.Http.Headers;
using KeysDashboard.Data;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Api;

/// <summary>
/// Writes of one key that race each other: a PATCH or regenerate overtaken by a DELETE answers 404, never 500;
/// and with If-Match a write based on a stale read is refused with 412 by the write itself.
/// </summary>
public sealed class ConcurrentWriteTests
{
    [Theory]
    [InlineData("PATCH")]
    [InlineData("REGENERATE")]
    public async Task A_write_overtaken_by_a_delete_of_the_same_key_answers_404(string method)
    {
        var gate = new KeyWriteGate();
        await using var api = Gated(gate);
        var caller = await api.CreateKeyAsync("Caller");
        var target = await api.CreateKeyAsync("Target");
        using var client = api.Client(caller.Secret);
        var cancel = TestContext.Current.CancellationToken;

        // The held request has read the key and waits just before its UPDATE.
        gate.Close();
        var held = SendAsync(client, method, target.Key.Id);
        await gate.Reached.WaitAsync(cancel);
        using var delete = await client.DeleteAsync($"/api/v2/keys/{target.Key.Id}", cancel);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        gate.Open();
        using var response = await held.WaitAsync(cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(["not_found"], await response.ErrorCodesAsync());
        Assert.Null(await api.WithKeysAsync(k => k.FindAsync(target.Key.Id, ApiFactory.Admin)));
    }

    [Fact]
    public async Task Two_hundred_mixed_writes_of_the_same_keys_at_once_never_answer_5xx()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["Api:RequestsPerKeyPerMinute"] = "0" });
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);
        var targets = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            targets.Add((await api.CreateKeyAsync($"Target {i}")).Key.Id);
        }

        var random = new Random(6);
        var methods = new[] { "PATCH", "PATCH", "REGENERATE", "REGENERATE", "DELETE" };
        var requests = Enumerable.Range(0, 200)
            .Select(_ => (Method: methods[random.Next(methods.Length)], Id: targets[random.Next(targets.Count)]))
            .ToList();
        var responses = await Task.WhenAll(requests.Select(r => SendAsync(client, r.Method, r.Id)));

        var statuses = responses.Select((r, i) => $"{requests[i].Method} {(int)r.StatusCode}").ToList();
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.NotFound }));
        Assert.Contains("DELETE 200", statuses);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Every_key_response_carries_an_ETag_that_every_change_replaces()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        var target = await api.CreateKeyAsync("Target");
        using var client = api.Client(caller.Secret);
        var seen = new List<EntityTagHeaderValue>();

        using var created = await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = "New" }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.NotNull(created.Headers.ETag);
        Assert.False(created.Headers.ETag.IsWeak);

        using var get = await client.GetAsync($"/api/v2/keys/{target.Key.Id}", TestContext.Current.CancellationToken);
        seen.Add(get.Headers.ETag!);
        foreach (var change in new[] { "PATCH", "DISABLE", "ENABLE", "REGENERATE" })
        {
            using var response = await SendAsync(client, change, target.Key.Id);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(response.Headers.ETag!, seen);
            seen.Add(response.Headers.ETag!);
            using var again = await client.GetAsync($"/api/v2/keys/{target.Key.Id}", TestContext.Current.CancellationToken);
            Assert.Equal(response.Headers.ETag, again.Headers.ETag);
        }
        Assert.All(seen, etag => Assert.False(etag.IsWeak));
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("REGENERATE")]
    [InlineData("DELETE")]
    public async Task A_stale_If_Match_is_refused_with_412_and_changes_nothing_while_the_current_one_or_star_succeeds(string method)
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        var target = await api.CreateKeyAsync("Target", ips: ["10.0.0.0/8"]);
        using var client = api.Client(caller.Secret);
        using var read = await client.GetAsync($"/api/v2/keys/{target.Key.Id}", TestContext.Current.CancellationToken);
        var stale = read.Headers.ETag!.Tag;
        using var narrowed = await client.PatchJsonAsync($"/api/v2/keys/{target.Key.Id}", new { ips = new[] { "10.1.0.0/16" } });
        var current = narrowed.Headers.ETag!.Tag;

        using var refused = await SendAsync(client, method, target.Key.Id, ifMatch: stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal(["precondition_failed"], await refused.ErrorCodesAsync());
        Assert.Equal(["If-Match"], await refused.ErrorFieldsAsync());
        var after = await api.WithKeysAsync(k => k.FindAsync(target.Key.Id, ApiFactory.Admin));
        Assert.NotNull(after);
        Assert.Equal(["10.1.0.0/16"], after.Ips);
        Assert.Equal(target.Key.KeyHash, after.KeyHash);

        using var several = await SendAsync(client, method, target.Key.Id, ifMatch: $"{stale}, W/{current}");
        Assert.Equal(HttpStatusCode.PreconditionFailed, several.StatusCode);

        using var accepted = await SendAsync(client, method, target.Key.Id, ifMatch: $"{stale}, {current}");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        if (method != "DELETE")
        {
            using var star = await SendAsync(client, method, target.Key.Id, ifMatch: "*");
            Assert.Equal(HttpStatusCode.OK, star.StatusCode);
        }
    }

    [Theory]
    [InlineData("3")]
    [InlineData("\"3")]
    [InlineData("\"3\" junk")]
    public async Task A_malformed_If_Match_is_refused_with_400(string ifMatch)
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        var target = await api.CreateKeyAsync("Target");
        using var client = api.Client(caller.Secret);

        foreach (var method in new[] { "PATCH", "REGENERATE", "DELETE" })
        {
            using var response = await SendAsync(client, method, target.Key.Id, ifMatch);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(["invalid_if_match"], await response.ErrorCodesAsync());
        }
        Assert.NotNull(await api.WithKeysAsync(k => k.FindAsync(target.Key.Id, ApiFactory.Admin)));
    }

    [Fact]
    public async Task If_Match_is_checked_by_the_write_itself_so_a_change_between_the_check_and_the_write_is_not_overwritten()
    {
        var gate = new KeyWriteGate();
        await using var api = Gated(gate);
        var caller = await api.CreateKeyAsync("Caller");
        var target = await api.CreateKeyAsync("Target", ips: ["10.0.0.0/8"]);
        using var client = api.Client(caller.Secret);
        var cancel = TestContext.Current.CancellationToken;
        using var read = await client.GetAsync($"/api/v2/keys/{target.Key.Id}", cancel);

        // The conditional PATCH has read the key and found its version current; then another write lands.
        gate.Close();
        var conditional = SendAsync(client, "PATCH", target.Key.Id, ifMatch: read.Headers.ETag!.Tag, body: new { ips = Array.Empty<string>() });
        await gate.Reached.WaitAsync(cancel);
        using var narrowed = await client.PatchJsonAsync($"/api/v2/keys/{target.Key.Id}", new { ips = new[] { "10.1.0.0/16" } });
        Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);
        gate.Open();
        using var response = await conditional.WaitAsync(cancel);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal(["10.1.0.0/16"], (await api.WithKeysAsync(k => k.FindAsync(target.Key.Id, ApiFactory.Admin)))!.Ips);
    }

    private static ApiFactory Gated(KeyWriteGate gate) => new(testServices: services =>
        services.ConfigureDbContext<ApplicationDbContext>(o => o.AddInterceptors(gate), ServiceLifetime.Singleton));

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string id, string? ifMatch = null, object? body = null)
    {
        var request = method switch
        {
            "PATCH" => new HttpRequestMessage(HttpMethod.Patch, $"/api/v2/keys/{id}") { Content = ApiJson.Body(body ?? new { name = "Renamed" }) },
            "DISABLE" => new HttpRequestMessage(HttpMethod.Patch, $"/api/v2/keys/{id}") { Content = ApiJson.Body(new { enabled = false }) },
            "ENABLE" => new HttpRequestMessage(HttpMethod.Patch, $"/api/v2/keys/{id}") { Content = ApiJson.Body(new { enabled = true }) },
            "REGENERATE" => new HttpRequestMessage(HttpMethod.Post, $"/api/v2/keys/{id}/regenerate"),
            _ => new HttpRequestMessage(HttpMethod.Delete, $"/api/v2/keys/{id}"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
