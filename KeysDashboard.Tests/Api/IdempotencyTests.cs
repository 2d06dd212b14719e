using System.Net;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Api;

/// <summary>Idempotency-Key on create and regenerate: a retry never makes a second key or rotation.</summary>
public sealed class IdempotencyTests : IAsyncLifetime
{
    private readonly ApiFactory api = new();
    private Caller caller = default!;

    private sealed record Caller(string Id, string Secret);

    public async ValueTask InitializeAsync()
    {
        var issued = await api.CreateKeyAsync("caller");
        caller = new Caller(issued.Key.Id, issued.Secret);
    }

    public ValueTask DisposeAsync() => api.DisposeAsync();

    private HttpRequestMessage Create(string idempotencyKey, string name) => new(HttpMethod.Post, "/api/v2/keys")
    {
        Content = ApiJson.Body(new { type = "api", name }),
        Headers = { { "Idempotency-Key", idempotencyKey } },
    };

    private Task<int> KeyCountAsync() => api.WithDbAsync(db => db.ApiKeys.CountAsync());

    [Fact]
    public async Task A_retried_create_returns_the_first_response_and_makes_no_second_key()
    {
        var client = api.Client(caller.Secret);

        var first = await client.SendAsync(Create("order-42", "Billing"));
        var retry = await client.SendAsync(Create("order-42", "Billing"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        var original = await first.ResultAsync();
        var replayed = await retry.ResultAsync();
        Assert.Equal(original.GetProperty("id").GetString(), replayed.GetProperty("id").GetString());
        Assert.Equal(original.GetProperty("value").GetString(), replayed.GetProperty("value").GetString());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(2, await KeyCountAsync());
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_body_gets_422()
    {
        var client = api.Client(caller.Secret);
        await client.SendAsync(Create("order-43", "Billing"));

        var other = await client.SendAsync(Create("order-43", "Something else"));

        Assert.Equal((HttpStatusCode)422, other.StatusCode);
        Assert.Equal(["idempotency_key_reused"], await other.ErrorCodesAsync());
        Assert.Equal(2, await KeyCountAsync());
    }

    [Fact]
    public async Task Idempotency_keys_belong_to_the_calling_key()
    {
        var second = await api.CreateKeyAsync("second caller");

        var mine = await api.Client(caller.Secret).SendAsync(Create("shared-name", "Mine"));
        var theirs = await api.Client(second.Secret).SendAsync(Create("shared-name", "Theirs"));

        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        Assert.NotEqual((await mine.ResultAsync()).GetProperty("id").GetString(), (await theirs.ResultAsync()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Concurrent_retries_make_exactly_one_key()
    {
        var client = api.Client(caller.Secret);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.SendAsync(Create("burst", "Burst"))));

        Assert.Equal(2, await KeyCountAsync());
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var ids = new HashSet<string>();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.Created))
        {
            ids.Add((await response.ResultAsync()).GetProperty("id").GetString()!);
        }
        Assert.Single(ids);
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.Equal(["request_in_progress"], await response.ErrorCodesAsync());
        }
    }

    [Fact]
    public async Task A_retried_regenerate_makes_one_rotation()
    {
        var target = await api.CreateKeyAsync("target");
        var client = api.Client(caller.Secret);
        HttpRequestMessage Regenerate() => new(HttpMethod.Post, $"/api/v2/keys/{target.Key.Id}/regenerate")
        {
            Content = ApiJson.Body(new { grace_period_seconds = 0 }),
            Headers = { { "Idempotency-Key", "rotate-1" } },
        };

        var first = await (await client.SendAsync(Regenerate())).ResultAsync();
        var retry = await client.SendAsync(Regenerate());

        var secret = first.GetProperty("value").GetString()!;
        Assert.Equal(secret, (await retry.ResultAsync()).GetProperty("value").GetString());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        // Had the retry rotated again, the first response's secret would no longer work.
        Assert.Equal(HttpStatusCode.OK, (await api.Client(secret).GetAsync("/api/v2/me")).StatusCode);
        Assert.Equal(1, await api.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.KeyId == target.Key.Id && e.Action == "key.regenerated")));
    }

    [Fact]
    public async Task A_refused_request_is_not_remembered_so_the_corrected_one_succeeds()
    {
        var client = api.Client(caller.Secret);

        var refused = await client.SendAsync(Create("fix-me", ""));
        var corrected = await client.SendAsync(Create("fix-me", "Fixed"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
        Assert.False(corrected.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task An_over_long_idempotency_key_is_refused()
    {
        var response = await api.Client(caller.Secret).SendAsync(Create(new string('k', 256), "Too long"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["Idempotency-Key"], await response.ErrorFieldsAsync());
        Assert.Equal(1, await KeyCountAsync());
    }

    [Fact]
    public async Task The_remembered_response_is_stored_encrypted_and_deleted_when_its_window_ends()
    {
        var response = await api.Client(caller.Secret).SendAsync(Create("stored", "Stored"));
        var secret = (await response.ResultAsync()).GetProperty("value").GetString()!;

        var record = await api.WithDbAsync(db => db.IdempotencyRecords.AsNoTracking().SingleAsync());
        Assert.True(record.Completed);
        Assert.DoesNotContain(secret, record.ProtectedResponse);
        Assert.DoesNotContain(secret[3..^6], record.ProtectedResponse);

        await api.WithDbAsync(db => db.IdempotencyRecords.ExecuteUpdateAsync(set => set.SetProperty(r => r.ExpiresAt, DateTime.UtcNow.AddSeconds(-1))));
        await using var scope = api.Services.CreateAsyncScope();
        var deleted = await scope.ServiceProvider.GetRequiredService<KeysDashboard.Idempotency.IdempotentRequests>().DeleteExpiredAsync(CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Equal(0, await api.WithDbAsync(db => db.IdempotencyRecords.CountAsync()));
    }
}
